"""Records faust's consumer skipped, read again by a consumer of the worker's own."""

from __future__ import annotations

import time
from typing import Any

from kafka import TopicPartition

from borderwatch.core import kafka
from borderwatch.core.errors import BrokerError, Codes, Problem
from borderwatch.core.settings import Settings


def read_hole(
    settings: Settings, topic: str, partition: int, start: int, end: int, timeout_s: float = 30.0
) -> list[Any]:
    """Offsets ``start`` to ``end`` (excluded) of one partition, in order.

    A consumer outside the group, assigned the one partition: it commits nothing and cannot
    disturb faust's position or its group membership, so the records come back without
    racing faust's own fetches. Offsets no longer in the log (retention) are simply absent.
    Blocking (kafka-python): run it off the event loop."""
    consumer = kafka.consumer(settings, None, client="hole-reader")
    tp = TopicPartition(topic, partition)
    try:
        consumer.assign([tp])
        consumer.seek(tp, start)
        records: list[Any] = []
        deadline = time.monotonic() + timeout_s
        while consumer.position(tp) < end:
            if time.monotonic() > deadline:
                raise BrokerError(
                    Problem.of(
                        Codes.K009, reached=consumer.position(tp), topic=topic,
                        partition=partition, start=start, end=end, timeout_s=timeout_s,
                    )
                )  # fmt: skip
            for batch in consumer.poll(timeout_ms=200).values():
                records.extend(r for r in batch if start <= r.offset < end)
        return records
    finally:
        consumer.close()
