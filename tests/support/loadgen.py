"""A deterministic load generator: news-like articles, most of them irrelevant to borders.

Everything is written here from word lists (no copied text). Irrelevant articles are 400-800
words of economy, sport, science and weather prose; relevant ones carry the same filler with
one to three border sentences built from templates.
"""

from __future__ import annotations

import random

from borderwatch.core.models import Article

SUBJECTS = [
    "The central bank",
    "Local officials",
    "The football club",
    "Researchers",
    "The city council",
    "Forecasters",
    "The company",
    "Analysts",
    "The ministry",
    "Farmers",
    "The orchestra",
    "Shipping firms",
    "The university",
    "Retailers",
]
VERBS = [
    "announced",
    "reported",
    "expected",
    "reviewed",
    "described",
    "planned",
    "debated",
    "published",
    "welcomed",
    "questioned",
    "measured",
    "launched",
]
OBJECTS = [
    "a new budget",
    "record rainfall",
    "a late winner",
    "higher prices",
    "the survey",
    "a software update",
    "the harvest",
    "quarterly results",
    "the concert season",
    "a research grant",
    "new timetables",
    "the museum opening",
    "wind turbines",
]
TAILS = [
    "on Monday",
    "after a long meeting",
    "despite the weather",
    "in the capital",
    "for the second year",
    "according to a statement",
    "ahead of the holidays",
    "with cautious optimism",
    "in a short interview",
    "later that evening",
]
COUNTRIES = [
    ("Turkey", "Turkish"),
    ("Greece", "Greek"),
    ("Poland", "Polish"),
    ("Chad", "Chadian"),
    ("Bangladesh", "Bangladeshi"),
    ("Pakistan", "Pakistani"),
]
CROSSINGS = ["Kapikule", "Pazarkule", "Kuznica", "Torkham", "Adre", "Rafah"]
NUMBERS = ["two", "three", "five", "11", "22", "33", "at least 40"]
TEMPLATES = [
    "{c1} border guards opened fire on migrants trying to cross the fence near {x}, "
    "killing {n} people, officials said.",
    "{c1} sealed its border with {c2} on Tuesday after clashes near {x}.",
    "{n} {d1} soldiers were killed when their post near the frontier came under attack.",
    "{c1} opened its border crossings to refugees fleeing the fighting in {c2}.",
    "Police fired tear gas to push back hundreds of migrants at the {x} crossing.",
]  # fmt: skip


def _sentence(rng: random.Random) -> str:
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(TAILS)}."


def _filler(rng: random.Random, words: int) -> list[str]:
    out: list[str] = []
    count = 0
    while count < words:
        s = _sentence(rng)
        out.append(s)
        count += len(s.split())
    return out


def article(i: int, rng: random.Random, relevant: bool) -> Article:
    sentences = _filler(rng, rng.randint(400, 800))
    title = _sentence(rng).rstrip(".")
    if relevant:
        (c1, d1), (c2, _) = rng.sample(COUNTRIES, 2)
        border = [t.format(c1=c1, c2=c2, d1=d1, x=rng.choice(CROSSINGS), n=rng.choice(NUMBERS))
                  for t in rng.sample(TEMPLATES, rng.randint(1, 3))]  # fmt: skip
        title = border[0].split(",")[0]
        sentences = border + sentences
    paragraphs = [" ".join(sentences[k : k + 6]) for k in range(0, len(sentences), 6)]
    return Article(
        id=f"bench-{i}", title=title, text="\n\n".join(paragraphs), source="tests.support.loadgen"
    )


def generate(n: int, relevant_share: float = 0.05, seed: int = 7) -> list[Article]:
    rng = random.Random(seed)
    every = max(1, round(1 / relevant_share)) if relevant_share > 0 else 0
    return [article(i, rng, bool(every) and i % every == 0) for i in range(n)]
