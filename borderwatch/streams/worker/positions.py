"""Which record of each partition the worker reads next: faust may neither repeat nor skip one."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

Committed = Callable[[Any], "int | None"]


@dataclass(frozen=True)
class Hole:
    """Offsets ``start`` (included) to ``end`` (excluded) of a partition that faust skipped."""

    tp: Any
    start: int
    end: int


@dataclass
class Sorted:
    """One taken batch: the records to read now, and the holes to read around them."""

    fresh: list[Any] = field(default_factory=list)
    repeated: int = 0
    holes: list[Hole] = field(default_factory=list)


class Positions:
    """The next offset this process must read on each partition it holds.

    faust delivers at least once but not in a line: as a worker starts it seeks a partition
    back to its committed offset more than once, so records come twice (read twice they
    repeat alerts, acked twice they break faust's run of consecutive acked offsets), and
    across a rebalance it drops records it had fetched while the stream goes on after them;
    faust then commits past the hole (its gap check starts one offset late), and they are
    lost. Here a record below the next offset is dropped as a repeat, and one above it
    names a hole, which the worker reads itself beside faust's consumer before it acks
    anything after it. Seeking faust's consumer back instead races its fetch in flight:
    records from the old position arrive after the seek, move faust's read offset on, and
    the records sought are dropped as already read.
    """

    def __init__(self, committed: Committed) -> None:
        self._committed = committed
        self._next: dict[Any, int] = {}

    def assigned(self, partitions: Iterable[Any]) -> None:
        """After a rebalance the committed offset is the truth again (another worker may have
        gone on meanwhile)."""
        for tp in partitions:
            self._next.pop(tp, None)

    def sort(self, events: Sequence[Any]) -> Sorted:
        out = Sorted()
        expected: dict[Any, int | None] = {}
        for event in events:
            tp, offset = event.message.tp, event.message.offset
            if tp not in expected:
                expected[tp] = self._next.get(tp, self._committed(tp))
            nxt = expected[tp]
            if nxt is not None and offset < nxt:
                out.repeated += 1
                continue
            if nxt is not None and offset > nxt:
                out.holes.append(Hole(tp, nxt, offset))
            expected[tp] = offset + 1
            out.fresh.append(event)
        return out

    def settle(self, events: Iterable[Any], holes: Iterable[Hole] = ()) -> None:
        """The records read and delivered (holes included): the partition goes on after them."""
        for event in events:
            tp, offset = event.message.tp, event.message.offset
            self._next[tp] = max(offset + 1, self._next.get(tp, 0))
        for hole in holes:
            self._next[hole.tp] = max(hole.end, self._next.get(hole.tp, 0))
