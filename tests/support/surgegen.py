"""Archives for surge tests: a quiet, dated background of news, with or without a surge.

The background spreads short articles over several days; some name a border place, in the
lead or only in passing, so every place has a low, steady rate. A planted surge is many
reports about one place from many sources within one hour. Deterministic for a seed; the
words are written here.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from borderwatch.core.models import Article

PLACES = ["Evros", "Kapikule", "Rafah", "Kuznica", "Idlib", "Lesbos", "Medyka", "Narva"]
OUTLETS = [f"outlet-{i:02d}" for i in range(1, 16)]
START = datetime(2026, 3, 1, tzinfo=UTC)
SURGE_LINES = [
    "Hundreds of people gathered at the border near {p} on {d}, witnesses said.",
    "Crowds were seen walking towards {p} as word spread of the gathering.",
    "Police reinforcements arrived in {p} while more families kept coming.",
    "Local reporters in {p} described long lines of people along the fence.",
    "Officials in {p} asked for calm as the crowd grew through the evening.",
]


WHO = ["The council", "Researchers", "The club", "Retailers", "The ministry", "Farmers",
       "Forecasters", "The university", "Shipping firms", "The orchestra"]  # fmt: skip
DID = ["announced", "reviewed", "debated", "welcomed", "measured", "planned", "published"]
WHAT = ["a new budget", "record rainfall", "the harvest", "quarterly results", "new timetables",
        "the concert season", "a research grant", "higher prices"]  # fmt: skip
WHEN = ["on Monday", "after a long meeting", "in the capital", "ahead of the holidays"]


def _sentence(rng: random.Random) -> str:
    return f"{rng.choice(WHO)} {rng.choice(DID)} {rng.choice(WHAT)} {rng.choice(WHEN)}."


def _news(rng: random.Random, sentences: int) -> list[str]:
    return [_sentence(rng) for _ in range(sentences)]


def background(
    days: float = 3.0, per_hour: int = 6, place_share: float = 0.35, seed: int = 11
) -> list[Article]:
    """Ordinary noise: ``per_hour`` articles an hour, ``place_share`` of them naming a place
    (half in the headline or lead, half deep in the text)."""
    rng = random.Random(seed)
    out: list[Article] = []
    hours = int(days * 24)
    for h in range(hours):
        for k in range(per_hour):
            at = START + timedelta(hours=h, seconds=rng.uniform(0, 3599))
            sentences = _news(rng, rng.randint(16, 22))  # past the lead (600 characters)
            title = _sentence(rng).rstrip(".")
            if rng.random() < place_share:
                place = rng.choice(PLACES)
                passing = f"Traffic near {place} was normal, a spokesman said."
                if rng.random() < 0.5:
                    title = f"{title} near {place}"
                else:
                    sentences.append(passing)
            out.append(
                Article(
                    id=f"bg-{seed}-{h}-{k}",
                    title=title,
                    text=" ".join(sentences),
                    source=rng.choice(OUTLETS),
                    url=f"https://news.example/{seed}/{h}/{k}",
                    published=at,
                    fetched=at + timedelta(minutes=5),
                )
            )
    return out


def surge(
    place: str = "Evros",
    at: datetime | None = None,
    reports: int = 10,
    sources: int = 8,
    minutes: float = 40.0,
    seed: int = 23,
) -> list[Article]:
    """``reports`` articles about ``place`` from ``sources`` outlets within ``minutes``."""
    rng = random.Random(seed)
    at = at or START + timedelta(days=2, hours=14)
    out = []
    for i in range(reports):
        when = at + timedelta(minutes=minutes * i / max(1, reports - 1))
        line = rng.choice(SURGE_LINES).format(p=place, d=when.strftime("%A"))
        out.append(
            Article(
                id=f"surge-{seed}-{i}",
                title=f"Crowds gather at the border near {place}",
                text=" ".join([line, *_news(rng, rng.randint(4, 8))]),
                source=OUTLETS[i % sources],
                url=f"https://news.example/surge/{seed}/{i}",
                published=when,
                fetched=when + timedelta(minutes=3),
            )
        )
    return out


def archive(planted: bool, seed: int = 11, days: float = 3.0, per_hour: int = 6) -> list[Article]:
    """The background, with a surge planted in it or not, in published order."""
    items = background(days=days, per_hour=per_hour, seed=seed)
    if planted:
        items += surge()
    return sorted(items, key=lambda a: (a.published or a.fetched, a.id))


def write_jsonl(path: Path, articles: list[Article]) -> None:
    path.write_text("".join(a.model_dump_json() + "\n" for a in articles))


def main() -> None:
    """``python -m tests.support.surgegen OUT.jsonl [--planted]``: an archive to replay."""
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--planted", action="store_true", help="plant a surge at Evros")
    parser.add_argument("--days", type=float, default=3.0)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    articles = archive(args.planted, seed=args.seed, days=args.days)
    write_jsonl(args.out, articles)
    print(f"{len(articles)} articles -> {args.out}")


if __name__ == "__main__":
    main()
