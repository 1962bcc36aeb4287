"""Producing articles to Kafka, with end-of-input markers so consumers know when a run is done."""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from kafka import KafkaProducer

from borderwatch.connectors.archive import ArticleArchive
from borderwatch.core.kafka import producer as make_producer
from borderwatch.core.models import Article, Marker
from borderwatch.core.settings import Settings

log = logging.getLogger(__name__)

MARKER_KEY = b"__marker__"


class ArticleWriter:
    """Send articles keyed by id; count what each partition got, for the end markers."""

    def __init__(
        self, settings: Settings, run_id: str | None = None, archive: ArticleArchive | None = None
    ) -> None:
        self.settings = settings
        self.archive = archive
        self.topic = settings.articles_topic
        self.run_id = run_id
        self.producer: KafkaProducer = make_producer(settings)
        self.counts: Counter[int] = Counter()
        self.failures: list[str] = []

    def send(self, article: Article) -> None:
        if self.run_id is not None and article.run_id != self.run_id:
            article = article.model_copy(update={"run_id": self.run_id})
        future = self.producer.send(self.topic, key=article.id.encode(), value=article.to_bytes())
        future.add_callback(self._sent, article)
        future.add_errback(self._failed, article)

    def _sent(self, article: Article, metadata: Any) -> None:
        """Accepted by the broker: count it, and archive it (live runs only)."""
        self.counts[metadata.partition] += 1
        if self.archive is not None:
            try:
                self.archive.append(article)
            except OSError as exc:  # the stream goes on; the gap is logged loudly
                log.error("could not archive article %s: %s", article.id, exc)

    def _failed(self, exc: BaseException, article: Article) -> None:
        """Not lost: a live run archives it anyway, and the next re-drive from the archive
        (after an embedded broker restarts, or at start) sends it again."""
        kept = ""
        if self.archive is not None:
            try:
                kept = "; kept in the archive" if self.archive.append(article) else ""
            except OSError as archive_exc:
                log.error("could not archive article %s: %s", article.id, archive_exc)
        log.error("could not produce article %s: %s%s", article.id, exc, kept)
        self.failures.append(article.id)

    def finish(self) -> dict[int, int]:
        """Flush, then send each partition its marker behind the last article it received."""
        self.producer.flush()
        if self.run_id is not None:
            partitions = sorted(self.producer.partitions_for(self.topic) or [])
            for p in partitions:
                marker = Marker(run_id=self.run_id, source_partition=p, count=self.counts[p])
                self.producer.send(self.topic, key=MARKER_KEY, value=marker.to_bytes(), partition=p)
            self.producer.flush()
        return dict(self.counts)

    def close(self) -> None:
        self.producer.close(timeout=10)  # flushes: the last callbacks archive their articles
        if self.archive is not None:
            self.archive.close()
