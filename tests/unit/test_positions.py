"""Positions: every offset of a partition read once and in a line, whatever faust delivers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from borderwatch.streams.worker.positions import Positions


class TP(NamedTuple):
    topic: str
    partition: int


@dataclass
class Message:
    tp: TP
    offset: int


@dataclass
class Event:
    message: Message


A, B = TP("articles", 0), TP("articles", 1)


def events(*pairs: tuple[TP, int]) -> list[Any]:
    return [Event(Message(tp, offset)) for tp, offset in pairs]


def offsets(picked: list[Any]) -> list[tuple[int, int]]:
    return [(e.message.tp.partition, e.message.offset) for e in picked]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_starts_at_the_committed_offset_and_drops_what_comes_again() -> None:
    positions = Positions({A: 8, B: None}.get)
    first = positions.sort(events((A, 8), (B, 0), (A, 9), (B, 1)))
    assert offsets(first.fresh) == [(0, 8), (1, 0), (0, 9), (1, 1)] and not first.seek
    positions.settle(first.fresh)
    again = positions.sort(events((A, 8), (A, 9), (A, 10), (B, 1), (B, 2)))
    assert offsets(again.fresh) == [(0, 10), (1, 2)]
    assert again.repeated == 3


def test_a_hole_stops_its_partition_and_seeks_back_to_it() -> None:
    positions = Positions({A: 16, B: 16}.get)
    picked = positions.sort(events((A, 17), (B, 16), (A, 18), (B, 17)))
    assert offsets(picked.fresh) == [(1, 16), (1, 17)]  # the other partition goes on
    assert picked.seek == {A: 16}
    positions.settle(picked.fresh)
    refetched = positions.sort(events((A, 16), (A, 17), (A, 18)))
    assert offsets(refetched.fresh) == [(0, 16), (0, 17), (0, 18)] and not refetched.seek


def test_a_hole_inside_a_batch_keeps_what_came_before_it() -> None:
    positions = Positions({A: 0}.get)
    picked = positions.sort(events((A, 0), (A, 1), (A, 5), (A, 6)))
    assert offsets(picked.fresh) == [(0, 0), (0, 1)]
    assert picked.seek == {A: 2}


def test_seeks_again_only_after_the_pause_and_steps_over_a_hole_in_the_log() -> None:
    clock = Clock()
    positions = Positions({A: 3}.get, reseek_s=1.0, attempts=2, clock=clock)
    assert positions.sort(events((A, 7))).seek == {A: 3}
    clock.now = 0.5
    assert positions.sort(events((A, 8))).seek == {}  # still waiting for the first seek
    clock.now = 1.6
    assert positions.sort(events((A, 7))).seek == {A: 3}
    clock.now = 3.0
    stepped = positions.sort(events((A, 7), (A, 8)))  # two seeks brought nothing below 7
    assert offsets(stepped.fresh) == [(0, 7), (0, 8)] and not stepped.seek


def test_an_assignment_forgets_the_partition() -> None:
    committed = {A: 0}
    positions = Positions(committed.get)
    picked = positions.sort(events((A, 0), (A, 1)))
    positions.settle(picked.fresh)
    committed[A] = 40  # another worker went on while the partition was away
    positions.assigned([A])
    assert offsets(positions.sort(events((A, 40))).fresh) == [(0, 40)]
