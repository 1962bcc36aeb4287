"""Which archived articles a replay sends, and when: ``--since/--until`` and ``--speed``.

The send time of each article is a pure function of its published time and the speed, so a
test can check the schedule itself instead of timing a run: at speed ``k`` an article
published ``d`` seconds after the first one is sent ``d / k`` seconds after the start.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from borderwatch.core.errors import BorderwatchError, Codes, Problem
from borderwatch.core.models import Article


def parse_when(text: str) -> datetime:
    """ISO date or date-time; a date means its midnight UTC."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BorderwatchError(Problem.of(Codes.P001, text=text)) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def parse_speed(text: str) -> float | None:
    """``max`` (as fast as possible) or a positive factor of real time (``60`` = 1 min/s)."""
    if text.strip().lower() == "max":
        return None
    try:
        speed = float(text)
    except ValueError:
        speed = -1.0
    if speed <= 0:
        raise BorderwatchError(Problem.of(Codes.P002, text=text))
    return speed


@dataclass
class TimeFilter:
    """``--since`` (inclusive) and ``--until`` (exclusive), counting what it skips.

    One filter serves a whole replay, files and topic alike, so the summary's skipped counts
    cover every source."""

    since: datetime | None = None
    until: datetime | None = None
    undated: int = 0
    outside: int = 0

    @property
    def active(self) -> bool:
        return self.since is not None or self.until is not None

    def keep(self, article: Article, when: datetime | None = None) -> bool:
        """Whether the article's time is in the window: ``when`` if the source knows a
        better time (a topic record's own), else its published time."""
        if not self.active:
            return True
        when = when or article.published
        if when is None:
            self.undated += 1
            return False
        if (self.since and when < self.since) or (self.until and when >= self.until):
            self.outside += 1
            return False
        return True


@dataclass
class Pacer:
    """Sends in published order at ``speed`` times real time (None: as fast as possible)."""

    speed: float | None
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _start: float | None = None
    _first: datetime | None = None
    planned: list[float] = field(default_factory=list)  # offsets from the start, per article

    def due(self, article: Article) -> float:
        """Seconds after the start at which this article should be sent."""
        if self.speed is None or article.published is None:
            return 0.0
        if self._first is None:
            self._first = article.published
        return max(0.0, (article.published - self._first).total_seconds() / self.speed)

    def pace(self, articles: Iterable[Article]) -> Iterator[Article]:
        for article in articles:
            offset = self.due(article)
            self.planned.append(offset)
            if self._start is None:
                self._start = self.clock()
            wait = self._start + offset - self.clock()
            if wait > 0:
                self.sleep(wait)
            yield article
