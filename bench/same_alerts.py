"""Sentence-scoped reading against reading every sentence, over labelled corpora.

Run: ``.venv/bin/python -m bench.same_alerts [FILES...]`` (default: ``../shared/eval/*.jsonl``
when that directory exists, else the samples). Prints every article whose alerts, facts or
evidence differ, both sides, then per file: articles, alerts, differences, the share of
sentences parsed and the time each way. Not a test: a clone need not have the corpora.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from borderwatch.connectors.files import Archive
from borderwatch.core.models import Article
from borderwatch.core.settings import load_settings
from borderwatch.streams import checked_detector
from borderwatch.streams.scope import StageClock
from borderwatch.streams.scoring.evaluate import read_corpora
from tests.support.scoping import differences

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "eval"


def articles_of(path: Path) -> list[Article]:
    if path.parent.name == "samples":
        return [a for a in Archive([path]).read() if isinstance(a, Article)]
    items, problems = read_corpora([path])
    for p in problems:
        print(f"{p.path}:{p.line}: {p.message}")
    return [Article(id=i.id, title=i.title, text=i.text, published=i.published,
                    language=i.language) for i in items]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args()
    files = args.files or sorted(SHARED.glob("*.jsonl")) or [ROOT / "samples" / "archive.jsonl"]
    det = checked_detector(load_settings(None), ROOT / "rules", examples=False)
    out = Console(width=130)
    table = Table(title="sentence-scoped vs whole-article reading")
    for column in ("file", "articles", "alerts", "differ", "sentences parsed", "scoped s",
                   "whole s"):  # fmt: skip
        table.add_column(column, justify="left" if column == "file" else "right")
    total = 0
    det.alerts_many([Article(id="warm", text="Guards shot two migrants at the border.")])
    for path in files:
        articles = articles_of(path)
        clock = det.clock = StageClock()
        start = time.monotonic()
        alerts = sum(len(a) for a in det.alerts_many(articles, scoped=True))
        scoped_s = time.monotonic() - start
        det.clock = None
        start = time.monotonic()
        det.alerts_many(articles, scoped=False)
        whole_s = time.monotonic() - start
        found = differences(det, articles)
        total += len(found)
        for line in found:
            out.print(f"[bold]{path.name}[/bold] {line}", markup=True, highlight=False)
        parsed = f"{clock.parsed}/{clock.sentences}" if clock.sentences else "-"
        table.add_row(path.name, str(len(articles)), str(alerts), str(len(found)), parsed,
                      f"{scoped_s:.1f}", f"{whole_s:.1f}")  # fmt: skip
    out.print(table)
    out.print(f"{total} difference(s)")


if __name__ == "__main__":
    main()
