"""A deterministic load generator: news-like articles, most of them irrelevant to borders.

Everything is written here from word lists (no copied text). Plain articles are 400-800
words of economy, sport, science and weather prose that no rule can match; relevant ones
carry the same filler with one to three border sentences built from templates.

``generate(n)`` is the kind mix (5 % relevant, the rest plain). ``realistic(n)`` adds, per
hundred articles, fifteen irrelevant ones that a string prefilter cannot tell from news:
border words in their other senses (a derby, a trade tariff, a storm front, a debate),
shootings far from any border, soldiers at ceremonies, the verbs of border actions said of
budgets and museums. Those decoy sentences are scattered through the filler, as in real
reports, so the words of one rule are usually sentences apart.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

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
# No verb here is one an event frame is read from (open, welcome, grant, take ...): plain
# filler must stay plain for the prefilter, as plain news would be without those verbs.
VERBS = [
    "announced",
    "reported",
    "expected",
    "reviewed",
    "described",
    "planned",
    "debated",
    "published",
    "praised",
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
    "a research prize",
    "new timetables",
    "the museum exhibition",
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
# Irrelevant sentences a prefilter cannot tell from news: written for this generator.
DECOYS = [
    # sport
    "The {d1} side won the border derby against their neighbours by two goals.",
    "The striker crossed the line in the final minute and the crowd poured onto the pitch.",
    "Fans welcomed the team home after the cup final in {c1}.",
    "The coach was shot down in the post-match interview when asked about his future.",
    "The visiting fans were kept back behind a fence until the home crowd had left.",
    # trade
    "Exporters said the new tariffs at the border would push up the price of steel.",
    "Cross-border trade with {c2} rose by a fifth in the first quarter.",
    "Lorries waited for hours at the customs post as the new software slowed checks.",
    "The ministry will open a trade office in {c2} to help exporters.",
    # weather
    "A storm front crossed the border overnight, bringing snow to the mountain villages.",
    "Snow shut the pass for a day before ploughs reopened it to traffic.",
    "Forecasters said the cold air would sweep across the frontier region by Friday.",
    # politics
    "The opposition attacked the government's border policy in a heated debate.",
    "Lawmakers debated whether to close the loophole in the tax code.",
    "The minister denied that the talks had broken down over the boundary commission.",
    "The party welcomed new members at its conference in the capital.",
    # shootings and violence far from any border
    "Police shot a man who threatened shoppers with a knife in the city centre.",
    "Two people were wounded in a shooting outside a nightclub in the capital.",
    "A hunter was killed when his rifle went off by accident in the forest.",
    "Detectives said the gunman fired at a passing car before he fled.",
    # soldiers and police at ceremonies
    "Soldiers marched past the memorial to those killed in the war a century ago.",
    "Veterans and border guards laid wreaths at the ceremony on Sunday.",
    "A military band opened the festival as troops lined the avenue.",
    "Police officers received medals for bravery at a ceremony in the town hall.",
    # the verbs of border actions in their everyday senses
    "The museum will reopen its doors to visitors after a two-year renovation.",
    "The bank granted the start-up a loan to open three new shops.",
    "Retailers took in record sales and let staff go home early.",
    "The council agreed to keep the bridge closed to lorries for repairs.",
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


def _article(i: int, sentences: list[str], title: str) -> Article:
    paragraphs = [" ".join(sentences[k : k + 6]) for k in range(0, len(sentences), 6)]
    return Article(
        id=f"bench-{i}", title=title, text="\n\n".join(paragraphs), source="tests.support.loadgen"
    )


def article(i: int, rng: random.Random, relevant: bool) -> Article:
    sentences = _filler(rng, rng.randint(400, 800))
    title = _sentence(rng).rstrip(".")
    if relevant:
        (c1, d1), (c2, _) = rng.sample(COUNTRIES, 2)
        border = [t.format(c1=c1, c2=c2, d1=d1, x=rng.choice(CROSSINGS), n=rng.choice(NUMBERS))
                  for t in rng.sample(TEMPLATES, rng.randint(1, 3))]  # fmt: skip
        title = border[0].split(",")[0]
        sentences = border + sentences
    return _article(i, sentences, title)


def decoy(i: int, rng: random.Random) -> Article:
    """Plain filler with two to four decoy sentences at random places, one of them
    sometimes in the headline: irrelevant, but the prefilter lets it through."""
    sentences = _filler(rng, rng.randint(400, 800))
    (c1, d1), (c2, _) = rng.sample(COUNTRIES, 2)
    chosen = [d.format(c1=c1, c2=c2, d1=d1) for d in rng.sample(DECOYS, rng.randint(2, 4))]
    for s in chosen:
        sentences.insert(rng.randrange(len(sentences) + 1), s)
    title = chosen[0].rstrip(".") if rng.random() < 0.3 else _sentence(rng).rstrip(".")
    return _article(i, sentences, title)


def stream(
    n: int, relevant_share: float = 0.05, decoy_share: float = 0.0, seed: int = 7
) -> Iterator[Article]:
    """Articles one at a time (a 100k replay need not hold them all): every k-th relevant,
    ``decoy_share`` decoys spread evenly among the others, the rest plain."""
    rng = random.Random(seed)
    every = max(1, round(1 / relevant_share)) if relevant_share > 0 else 0
    owed = 0.0
    for i in range(n):
        if every and i % every == 0:
            yield article(i, rng, True)
            continue
        owed += decoy_share / (1 - relevant_share) if relevant_share < 1 else 0.0
        if owed >= 1:
            owed -= 1
            yield decoy(i, rng)
        else:
            yield article(i, rng, False)


def generate(n: int, relevant_share: float = 0.05, seed: int = 7) -> list[Article]:
    """The kind mix: ``relevant_share`` relevant, the rest plain filler."""
    return list(stream(n, relevant_share, 0.0, seed))


def realistic(
    n: int, relevant_share: float = 0.05, decoy_share: float = 0.15, seed: int = 7
) -> list[Article]:
    """The realistic mix: as ``generate``, with ``decoy_share`` irrelevant articles that
    pass a string prefilter."""
    return list(stream(n, relevant_share, decoy_share, seed))
