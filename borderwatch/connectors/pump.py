"""Any source into a writer: articles are sent, problems go to a callback, and both are counted.

Replay, the live job, ``poll`` and the re-drive after a broker restart all move items this
way, so a problem is reported the same everywhere and never vanishes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from borderwatch.connectors.base import Item, Source
from borderwatch.connectors.schedule import Pacer, TimeFilter
from borderwatch.core.errors import Problem
from borderwatch.core.models import Article


class Writer(Protocol):
    """Where articles go: an ``ArticleWriter`` on the ``articles`` topic."""

    def send(self, article: Article) -> None: ...


@dataclass
class PumpCounts:
    """What one or more pumps moved; pass the same one to several to keep one tally."""

    sent: int = 0
    problems: int = 0


def pump(
    source: Source | Iterable[Item],
    writer: Writer,
    on_problem: Callable[[Problem], None],
    *,
    time_filter: TimeFilter | None = None,
    pacer: Pacer | None = None,
    counts: PumpCounts | None = None,
    on_sent: Callable[[int], None] = lambda sent: None,
) -> PumpCounts:
    """Send every article of ``source`` that ``time_filter`` keeps, at ``pacer``'s pace;
    report every problem. ``on_sent`` hears the running total after each article; the
    filter itself counts what it skipped (``outside``, ``undated``)."""
    counts = counts if counts is not None else PumpCounts()
    items = source.read() if isinstance(source, Source) else source

    def articles() -> Iterator[Article]:
        for item in items:
            if isinstance(item, Problem):
                counts.problems += 1
                on_problem(item)
            elif time_filter is None or time_filter.keep(item):
                yield item

    for article in pacer.pace(articles()) if pacer else articles():
        writer.send(article)
        counts.sent += 1
        on_sent(counts.sent)
    return counts
