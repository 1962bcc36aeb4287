"""Replay from a Kafka topic by time: records selected by their own time, on any broker.

A record's time is the article's ``published`` time, else the record's own timestamp. The
broker's ``offsets_for_times`` is used only as a seek hint (an hour early, for skew): the
embedded broker answers it with its receive time, and records are filtered by their own time
anyway. "Done" never comes from end offsets, which the embedded broker gets wrong: a
partition is finished when it shows a record produced well after ``until`` (record
timestamps rise within a partition; published times need not), or stays silent for ``idle_s``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from kafka import KafkaConsumer, TopicPartition
from pydantic import ValidationError

from borderwatch.connectors.base import Item, Source
from borderwatch.connectors.schedule import TimeFilter
from borderwatch.core.errors import Codes, Problem
from borderwatch.core.kafka import consumer
from borderwatch.core.models import Article, parse_article_message
from borderwatch.core.settings import Settings

log = logging.getLogger(__name__)

SEEK_MARGIN = timedelta(hours=1)
# A partition is finished once it holds a record *produced* this long after ``until``: items
# published before ``until`` but produced later than that (a very late feed) are not waited for.
LATE_MARGIN = timedelta(hours=6)


def record_time(article: Article, timestamp_ms: int | None) -> datetime | None:
    if article.published is not None:
        return article.published
    if timestamp_ms is not None and timestamp_ms >= 0:
        return datetime.fromtimestamp(timestamp_ms / 1000, UTC)
    return None


class TopicSource(Source):
    """A topic's articles in the filter's window; the filter counts the ones it skips."""

    def __init__(
        self,
        settings: Settings,
        topic: str,
        time_filter: TimeFilter | None = None,
        idle_s: float = 5.0,
    ) -> None:
        self.settings, self.topic = settings, topic
        self.time_filter = time_filter or TimeFilter()
        self.since, self.until = self.time_filter.since, self.time_filter.until
        self.idle_s = idle_s
        self.name = f"topic {topic}"

    def _consumer(self) -> tuple[KafkaConsumer, list[TopicPartition]]:
        c = consumer(self.settings, None, client="topic-replay")  # no group: nothing committed
        parts = sorted(c.partitions_for_topic(self.topic) or [])
        tps = [TopicPartition(self.topic, p) for p in parts]
        c.assign(tps)
        c.seek_to_beginning(*tps)
        if self.since is not None and tps:
            hint_ms = int((self.since - SEEK_MARGIN).timestamp() * 1000)
            try:
                found = c.offsets_for_times(dict.fromkeys(tps, hint_ms))
                for tp, hit in found.items():
                    if hit is not None:
                        c.seek(tp, hit.offset)
            except Exception as exc:  # a hint only: read from the beginning instead
                log.warning("offsets_for_times failed on %s (%s); reading from the start",
                            self.topic, exc)  # fmt: skip
        return c, tps

    def read(self) -> Iterator[Item]:
        c, tps = self._consumer()
        done: set[int] = set()
        last_seen = time.monotonic()
        try:
            while len(done) < len(tps) and time.monotonic() - last_seen < self.idle_s:
                batch = c.poll(timeout_ms=500)
                if batch:
                    last_seen = time.monotonic()
                for tp, records in batch.items():
                    for rec in records:
                        yield from self._item(rec, tp, done)
        finally:
            c.close()

    def _item(self, rec: object, tp: TopicPartition, done: set[int]) -> Iterator[Item]:
        value = getattr(rec, "value", None)
        offset = getattr(rec, "offset", -1)
        try:
            message = parse_article_message(value or b"")
        except ValidationError as exc:
            where = f"{self.topic}[{tp.partition}]@{offset}"
            yield Problem.of(Codes.T001, where=where, error=exc.errors()[0]["msg"])
            return
        if not isinstance(message, Article):
            return  # an end marker of an earlier run
        stamp = getattr(rec, "timestamp", None)
        when = record_time(message, stamp)
        produced = record_time(message.model_copy(update={"published": None}), stamp)
        if self.until is not None and produced is not None and produced >= self.until + LATE_MARGIN:
            done.add(tp.partition)
        if self.time_filter.keep(message, when):
            yield message.model_copy(update={"run_id": None})
