"""Enrichment-stage speed: articles per second through parse + gazetteers + facts + rules.

Run: ``.venv/bin/python -m bench.enrich [DIR_OR_JSONL ...] [--n 64]``. Without arguments it
builds seed-length texts (about 4,000 characters) from the bundled sample archive. Figures
are measured side by side in one run, so compare the ratios, not the absolute numbers.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

from borderwatch.connectors.files import Archive
from borderwatch.core.models import Article
from borderwatch.core.settings import load_settings
from borderwatch.streams import checked_detector

SEED_CHARS = 4_000
ROOT = Path(__file__).resolve().parent.parent


def seed_length_articles(paths: list[Path], n: int) -> list[Article]:
    base = [a for a in Archive(paths).read() if isinstance(a, Article)]
    if not base:
        raise SystemExit("no articles found")
    out: list[Article] = []
    i = 0
    while len(out) < n:
        parts: list[str] = []
        while sum(map(len, parts)) < SEED_CHARS:
            parts.append(base[i % len(base)].body)
            i += 1
        out.append(Article(id=f"bench-{len(out)}", title="", text="\n\n".join(parts)))
    return out


def rate(fn: Callable[[], object], n: int, repeat: int = 2) -> float:
    best = 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = max(best, n / (time.perf_counter() - start))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("paths", nargs="*", type=Path, default=[ROOT / "samples/archive.jsonl"])
    parser.add_argument("--n", type=int, default=64, help="articles per measurement")
    args = parser.parse_args()
    detector = checked_detector(load_settings(None), ROOT / "rules", examples=False)
    articles = seed_length_articles(args.paths, args.n)
    texts = [a.body for a in articles]
    chars = sum(map(len, texts)) / len(texts)
    all_pipes = detector.nlp.pipe_names
    rows = [
        ("full enrichment, one call per article",
         rate(lambda: [detector.analyse(a) for a in articles], len(articles))),
        ("full enrichment, nlp.pipe batches of 16",
         rate(lambda: list(detector.analyse_many(articles, batch_size=16)), len(articles))),
        ("parse only (spaCy + gazetteer), batches of 16",
         rate(lambda: list(detector.parse(texts, batch_size=16)), len(articles))),
    ]  # fmt: skip
    table = Table(title=f"enrichment on {len(articles)} texts of ~{chars:.0f} chars "
                  f"(pipes: {', '.join(all_pipes)})")  # fmt: skip
    table.add_column("stage")
    table.add_column("articles/s", justify="right")
    table.add_column("vs one-by-one", justify="right")
    for name, value in rows:
        table.add_row(name, f"{value:.1f}", f"{value / rows[0][1]:.2f}x")
    Console().print(table)


if __name__ == "__main__":
    main()
