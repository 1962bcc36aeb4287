"""Which record of each partition the worker reads next: faust may neither repeat nor skip one."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

Committed = Callable[[Any], "int | None"]


@dataclass
class Sorted:
    """One taken batch: the records to read now, and where partitions must be read again."""

    fresh: list[Any] = field(default_factory=list)
    repeated: int = 0
    seek: dict[Any, int] = field(default_factory=dict)


@dataclass
class _Hole:
    offset: int
    seeks: int = 0
    sought: float = float("-inf")


class Positions:
    """The next offset this process must read on each partition it holds.

    faust delivers at least once but not in a line: as a worker starts it seeks a partition
    back to its committed offset more than once, so records come twice (read twice they
    repeat alerts, acked twice they break faust's run of consecutive acked offsets), and
    across a rebalance it can drop a record it had fetched while the stream goes on after
    it; faust then commits past the hole (its gap check starts one offset late), and the
    record is lost. Here a record below the next offset is dropped as a repeat, and one
    above it stops the partition: nothing after the hole is read or acked, and the
    partition is sought back to the hole (at most once per ``reseek_s``) so it comes again.
    A hole that is still there after ``attempts`` seeks is in the log itself (records
    removed by retention, a transaction's marker) and is stepped over, with a warning.
    """

    def __init__(
        self,
        committed: Committed,
        *,
        reseek_s: float = 1.0,
        attempts: int = 3,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._committed = committed
        self._next: dict[Any, int] = {}
        self._holes: dict[Any, _Hole] = {}
        self._reseek_s = reseek_s
        self._attempts = attempts
        self._clock = clock

    def assigned(self, partitions: Iterable[Any]) -> None:
        """After a rebalance the committed offset is the truth again (another worker may have
        gone on meanwhile)."""
        for tp in partitions:
            self._next.pop(tp, None)
            self._holes.pop(tp, None)

    def sort(self, events: Sequence[Any]) -> Sorted:
        out = Sorted()
        expected: dict[Any, int | None] = {}
        stopped: set[Any] = set()
        for event in events:
            tp, offset = event.message.tp, event.message.offset
            if tp in stopped:
                continue
            if tp not in expected:
                expected[tp] = self._next.get(tp, self._committed(tp))
            nxt = expected[tp]
            if nxt is not None and offset < nxt:
                out.repeated += 1
                continue
            if nxt is not None and offset > nxt and not self._hole(tp, nxt, offset, out):
                stopped.add(tp)
                continue
            expected[tp] = offset + 1
            self._holes.pop(tp, None)
            out.fresh.append(event)
        return out

    def _hole(self, tp: Any, nxt: int, offset: int, out: Sorted) -> bool:
        """Seek back to the hole (if its last seek is old enough); True once it has been
        sought ``attempts`` times in vain, and the records after it may be read."""
        hole = self._holes.get(tp)
        if hole is None or hole.offset != nxt:
            hole = self._holes[tp] = _Hole(nxt)
        if hole.seeks >= self._attempts:
            log.warning(
                "%s[%d]: offsets %d to %d are not in the log after %d seeks; going on "
                "from %d", tp.topic, tp.partition, nxt, offset - 1, self._attempts, offset,
            )  # fmt: skip
            return True
        now = self._clock()
        if now - hole.sought >= self._reseek_s:
            hole.sought, hole.seeks = now, hole.seeks + 1
            out.seek[tp] = nxt
            log.warning(
                "%s[%d]: records from offset %d never reached the worker (next came "
                "%d); reading the partition again from %d",
                tp.topic, tp.partition, nxt, offset, nxt,
            )  # fmt: skip
        return False

    def settle(self, events: Iterable[Any]) -> None:
        """The records read and delivered: the partition goes on after them."""
        for event in events:
            tp, offset = event.message.tp, event.message.offset
            self._next[tp] = max(offset + 1, self._next.get(tp, 0))
