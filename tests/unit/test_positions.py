"""Positions: every offset of a partition read once and in a line, whatever faust delivers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from borderwatch.core import kafka as kafka_clients
from borderwatch.core.errors import BrokerError
from borderwatch.core.kafka import ensure_topics
from borderwatch.streams.worker.holes import read_holes
from borderwatch.streams.worker.positions import Hole, Positions
from tests.support.fixtures import isolated_settings


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


def test_starts_at_the_committed_offset_and_drops_what_comes_again() -> None:
    positions = Positions({A: 8, B: None}.get)
    first = positions.sort(events((A, 8), (B, 0), (A, 9), (B, 1)))
    assert offsets(first.fresh) == [(0, 8), (1, 0), (0, 9), (1, 1)] and not first.holes
    positions.settle(first.fresh)
    again = positions.sort(events((A, 8), (A, 9), (A, 10), (B, 1), (B, 2)))
    assert offsets(again.fresh) == [(0, 10), (1, 2)]
    assert again.repeated == 3


def test_a_skipped_run_is_named_as_a_hole_and_the_partition_goes_on() -> None:
    positions = Positions({A: 16, B: 16}.get)
    picked = positions.sort(events((A, 19), (B, 16), (A, 20), (B, 17)))
    assert offsets(picked.fresh) == [(0, 19), (1, 16), (0, 20), (1, 17)]
    assert picked.holes == [Hole(A, 16, 19)]


def test_holes_inside_a_batch_are_each_named_once() -> None:
    positions = Positions({A: 0}.get)
    picked = positions.sort(events((A, 0), (A, 1), (A, 5), (A, 6), (A, 9)))
    assert offsets(picked.fresh) == [(0, 0), (0, 1), (0, 5), (0, 6), (0, 9)]
    assert picked.holes == [Hole(A, 2, 5), Hole(A, 7, 9)]


def test_a_settled_hole_is_not_read_again_when_faust_delivers_it_late() -> None:
    positions = Positions({A: 3}.get)
    picked = positions.sort(events((A, 7), (A, 8)))
    positions.settle(picked.fresh, picked.holes)
    late = positions.sort(events((A, 3), (A, 4), (A, 8), (A, 9)))
    assert offsets(late.fresh) == [(0, 9)] and late.repeated == 3 and not late.holes


def test_a_hole_left_unsettled_is_named_again() -> None:
    positions = Positions({A: 3}.get)
    positions.sort(events((A, 7)))  # the batch failed: nothing settled
    assert positions.sort(events((A, 7))).holes == [Hole(A, 3, 7)]


def test_an_assignment_forgets_the_partition() -> None:
    committed = {A: 0}
    positions = Positions(committed.get)
    picked = positions.sort(events((A, 0), (A, 1)))
    positions.settle(picked.fresh)
    committed[A] = 40  # another worker went on while the partition was away
    positions.assigned([A])
    assert offsets(positions.sort(events((A, 40))).fresh) == [(0, 40)]


def test_the_hole_reader_reads_the_range_beside_a_group(kafka: str, tmp_path: Path) -> None:
    settings = isolated_settings(kafka, tmp_path)
    ensure_topics(settings)
    producer = kafka_clients.producer(settings)
    for i in range(12):
        producer.send(settings.articles_topic, value=b"r%d" % i, key=b"k", partition=2)
    producer.flush()
    producer.close()
    (found,) = read_holes(settings, [Hole(TP(settings.articles_topic, 2), 4, 9)])
    assert [(r.offset, r.value) for r in found] == [(i, b"r%d" % i) for i in range(4, 9)]
    with pytest.raises(BrokerError) as caught:  # offsets not yet written: located, coded
        read_holes(settings, [Hole(TP(settings.articles_topic, 2), 10, 40)], timeout_s=1.0)
    assert caught.value.problems[0].code == "K009"
    assert f"{settings.articles_topic}[2]" in str(caught.value)


def test_one_reader_reads_every_hole_of_a_batch(kafka: str, tmp_path: Path) -> None:
    settings = isolated_settings(kafka, tmp_path)
    ensure_topics(settings)
    producer = kafka_clients.producer(settings)
    for partition in (1, 3):
        for i in range(10):
            producer.send(settings.articles_topic, value=b"p%dr%d" % (partition, i),
                          key=b"k", partition=partition)  # fmt: skip
    producer.flush()
    producer.close()
    one, three = TP(settings.articles_topic, 1), TP(settings.articles_topic, 3)
    found = read_holes(settings, [Hole(one, 4, 6), Hole(three, 0, 2), Hole(one, 8, 9)])
    assert [[r.value for r in hole] for hole in found] == [
        [b"p1r4", b"p1r5"], [b"p3r0", b"p3r1"], [b"p1r8"]
    ]  # fmt: skip
