"""Records faust's consumer skipped, read again by a consumer of the worker's own."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from kafka import TopicPartition

from borderwatch.core import kafka
from borderwatch.core.errors import BrokerError, Codes, Problem
from borderwatch.core.settings import Settings
from borderwatch.streams.worker.positions import Hole


def read_holes(
    settings: Settings, holes: Sequence[Hole], timeout_s: float = 30.0
) -> list[list[Any]]:
    """Each hole's records (``start`` to ``end``, excluded), in order, in the holes' order.

    One consumer outside the group for all of a batch's holes, assigned their partitions
    only: it commits nothing and cannot disturb faust's position or its group membership,
    so the records come back without racing faust's own fetches. A partition with several
    holes is read once, from the first hole to the last. Offsets no longer in the log
    (retention) are simply absent. Blocking (kafka-python): run it off the event loop."""
    if not holes:
        return []
    spans: dict[TopicPartition, tuple[int, int]] = {}
    for hole in holes:
        tp = TopicPartition(hole.tp.topic, hole.tp.partition)
        lo, hi = spans.get(tp, (hole.start, hole.end))
        spans[tp] = (min(lo, hole.start), max(hi, hole.end))
    consumer = kafka.consumer(settings, None, client="hole-reader")
    try:
        consumer.assign(list(spans))
        for tp, (lo, _) in spans.items():
            consumer.seek(tp, lo)
        got: dict[TopicPartition, list[Any]] = {tp: [] for tp in spans}
        deadline = time.monotonic() + timeout_s
        while short := [tp for tp, (_, hi) in spans.items() if consumer.position(tp) < hi]:
            if time.monotonic() > deadline:
                tp = short[0]
                raise BrokerError(
                    Problem.of(
                        Codes.K009, reached=consumer.position(tp), topic=tp.topic,
                        partition=tp.partition, start=spans[tp][0], end=spans[tp][1],
                        timeout_s=timeout_s,
                    )
                )  # fmt: skip
            for tp, batch in consumer.poll(timeout_ms=200).items():
                lo, hi = spans[tp]
                got[tp].extend(r for r in batch if lo <= r.offset < hi)
    finally:
        consumer.close()
    return [
        [r for r in got[TopicPartition(h.tp.topic, h.tp.partition)] if h.start <= r.offset < h.end]
        for h in holes
    ]
