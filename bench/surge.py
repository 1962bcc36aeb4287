"""What the surge counting costs per article, beside a no-op, on two corpora.

Run: ``.venv/bin/python -m bench.surge [--n 3000]``. In-process, no broker: the steps the
worker and the surge agent run for every article, timed one after another over the same
articles. ``scan`` is the detect agent's part (the gazetteer automaton over the article and
the mention records as JSON); ``count`` adds the surge agent's part (a place's state read from
JSON, the windows, baseline and test, written back to JSON, as the changelog-backed table does).
Corpora: the load generator's news (400-800 words, 5 % about borders, few places named) and
the surge generator's dated background (35 % name a place), with a planted surge.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent

from borderwatch.core.models import Article  # noqa: E402
from borderwatch.streams.reading.gazetteer import Gazetteer  # noqa: E402
from borderwatch.streams.surge import (  # noqa: E402
    Mention,
    PlaceScanner,
    PlaceState,
    SurgeConfig,
    mentions,
    observe,
    stream_first,
    surge_alert,
)
from tests.support import surgegen  # noqa: E402
from tests.support.loadgen import generate  # noqa: E402


def timed(articles: list[Article], step: Callable[[Article], object]) -> float:
    """Microseconds per article, the best of three passes."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for article in articles:
            step(article)
        best = min(best, time.perf_counter() - start)
    return best / len(articles) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=3000)
    args = parser.parse_args()
    config = SurgeConfig()
    scanner = PlaceScanner(Gazetteer.load(ROOT / "rules" / "gazetteers"))
    news = generate(args.n, relevant_share=0.05, seed=7)
    dated = surgegen.archive(planted=True)
    dated = (dated * (args.n // len(dated) + 1))[: args.n]

    def noop(article: Article) -> object:
        return article

    def scan(article: Article) -> object:
        return [json.dumps(m.to_dict()) for m in mentions(article, scanner, config)]

    def counter() -> Callable[[Article], object]:
        table: dict[str, str] = {}
        first: list[float | None] = [None]
        alerts: list[object] = []

        def count(article: Article) -> object:
            for raw in scan(article):  # type: ignore[attr-defined]
                m = Mention.from_dict(json.loads(raw))
                state = PlaceState.from_dict(json.loads(table.get(m.place, "null")))
                first[0] = stream_first(first[0], m, config)
                alerts.extend(surge_alert(e, config) for e in observe(state, m, config, first[0]))
                table[m.place] = json.dumps(state.to_dict())
            return alerts

        return count

    table = Table(title=f"surge counting, µs per article ({args.n} articles, best of 3)")
    for column in ("corpus", "articles naming a place", "no-op", "scan (worker)",
                   "scan + count (agent)"):  # fmt: skip
        table.add_column(column, justify="right")
    for name, corpus in (("loadgen news", news), ("surgegen background", dated)):
        naming = sum(1 for a in corpus if scanner.places(a))
        # the counter keeps state across passes: a fresh one per pass would time the same
        # first hours three times; duplicates count once (ids), as after a redelivery
        row = [timed(corpus, noop), timed(corpus, scan), timed(corpus, counter())]
        table.add_row(name, f"{naming / len(corpus):.0%}", *(f"{v:.1f}" for v in row))
    Console().print(table)


if __name__ == "__main__":
    main()
