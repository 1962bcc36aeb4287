"""What the stream agent does with one record, as a plain function of bytes in, records out.

Kept apart from faust so the tests and replay can drive exactly the code the worker runs.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from pydantic import ValidationError

from borderwatch.core import metrics
from borderwatch.core.models import Article, Marker, parse_article_message, utcnow
from borderwatch.core.settings import Settings
from borderwatch.streams.detect import Detector
from borderwatch.streams.surge import PlaceScanner, SurgeConfig, mentions

log = logging.getLogger(__name__)

DLQ_SAMPLE_CHARS = 2_000
# Records read before their outputs are sent: with sentence-scoped reading few articles of
# a part reach spaCy, so this costs little throughput and bounds an alert's wait.
PART_RECORDS = 16


@dataclass(frozen=True)
class Output:
    topic: str
    key: bytes
    value: bytes
    partition: int | None = None


def dead_letter(settings: Settings, raw: bytes, reason: str, key: bytes | None) -> Output:
    """The DLQ keeps the reason and a bounded sample, so one huge poison record cannot clog it."""
    metrics.DEAD_LETTERS.labels(settings.dlq_topic).inc()
    body = {
        "reason": reason,
        "at": utcnow().isoformat(),
        "size": len(raw),
        "key": key.decode("utf-8", "replace") if key else None,
        "sample": raw[:DLQ_SAMPLE_CHARS].decode("utf-8", "replace"),
    }
    return Output(settings.dlq_topic, key or b"", json.dumps(body).encode("utf-8"))


class Processor:
    def __init__(self, settings: Settings, detector: Detector, surges: bool = False) -> None:
        self.settings = settings
        self.detector = detector
        self.max_record_bytes = settings.max_text_chars * 8
        # With surges, every article's places go to the surge agent (keyed by place), and
        # markers take that path too, behind the mentions before them.
        self.surges = surges
        self.surge_config = SurgeConfig.from_settings(settings)
        self.scanner = PlaceScanner(detector.gazetteer) if surges else None

    def use(self, detector: Detector) -> None:
        """Swap the rule set (one assignment: an article sees the old set or the new one)."""
        if self.surges:
            self.scanner = PlaceScanner(detector.gazetteer)
        self.detector = detector

    def _mentions(self, articles: list[Article]) -> list[Output]:
        scanner = self.scanner
        if scanner is None:
            return []
        return [
            Output(
                self.settings.mentions_topic,
                m.place.encode(),
                json.dumps(m.to_dict()).encode("utf-8"),
                partition=0,
            )
            for article in articles
            for m in mentions(article, scanner, self.surge_config)
        ]

    def process_parts(
        self, records: list[tuple[bytes | None, bytes | None]], size: int = PART_RECORDS
    ) -> Iterator[list[Output]]:
        """``process_batch`` on ``size`` records at a time, in order (a marker still follows
        every article before it): the worker sends each part's outputs before it reads the
        next, so an alert does not wait behind the rest of a full batch."""
        for start in range(0, len(records), size):
            yield self.process_batch(records[start : start + size])

    def process_batch(self, records: list[tuple[bytes | None, bytes | None]]) -> list[Output]:
        """Many records in order: articles between markers go through spaCy as one batch, and
        a marker is forwarded only after every article before it."""
        outputs: list[Output] = []
        pending: list[tuple[Article, bytes, bytes | None]] = []
        for raw, key in records:
            parsed = self._parse(raw, key)
            if isinstance(parsed, Article):
                pending.append((parsed, raw or b"", key))
                continue
            outputs += self._detect_many(pending)
            pending = []
            outputs += parsed
        return outputs + self._detect_many(pending)

    def _detect_many(self, items: list[tuple[Article, bytes, bytes | None]]) -> list[Output]:
        if not items:
            return []
        metrics.ARTICLES_IN.inc(len(items))
        places = self._mentions([a for a, _, _ in items])
        try:
            per_article = self.detector.alerts_many([a for a, _, _ in items])
        except Exception:  # find the bad article: one at a time, so the others still pass
            log.warning("batch of %d failed; retrying one by one", len(items), exc_info=True)
            return [o for a, raw, key in items for o in self._detect(a, raw, key)] + places
        for alerts in per_article:
            if alerts:
                metrics.MATCHED.inc()
            for alert in alerts:
                metrics.ALERTS.labels(alert.category).inc()
        return [
            Output(self.settings.alerts_topic, alert.group.encode(), alert.to_bytes())
            for alerts in per_article
            for alert in alerts
        ] + places

    def _parse(self, raw: bytes | None, key: bytes | None) -> Article | list[Output]:
        """The article, or the outputs for a record that is not one (DLQ, a marker)."""
        if raw is None:
            return [dead_letter(self.settings, b"", "empty record", key)]
        if len(raw) > self.max_record_bytes:
            return [dead_letter(self.settings, raw, f"record too large ({len(raw)} bytes)", key)]
        try:
            message = parse_article_message(raw)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"])
            return [dead_letter(self.settings, raw, f"invalid message: {where}: {err['msg']}", key)]
        if isinstance(message, Marker):
            return self._forward_marker(message)
        return message

    def process(self, raw: bytes | None, key: bytes | None = None) -> list[Output]:
        return self.process_batch([(raw, key)])

    def _forward_marker(self, marker: Marker) -> list[Output]:
        """Every alerts partition gets the marker, so a reader of any partition sees the end."""
        value = marker.to_bytes()
        if self.surges:  # the surge agent forwards it to alerts after the mentions before it
            return [Output(self.settings.mentions_topic, b"__marker__", value, partition=0)]
        return [
            Output(self.settings.alerts_topic, b"__marker__", value, partition=p)
            for p in range(self.settings.alerts_partitions)
        ]

    def _detect(self, article: Article, raw: bytes, key: bytes | None) -> list[Output]:
        try:
            alerts = self.detector.alerts(article)
        except Exception as exc:  # one bad article must not stop the stream
            log.exception("detection failed for article %s", article.id)
            return [dead_letter(self.settings, raw, f"detection failed: {exc!r}", key)]
        return [Output(self.settings.alerts_topic, a.group.encode(), a.to_bytes()) for a in alerts]
