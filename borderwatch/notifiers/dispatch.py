"""Consuming ``alerts`` and handing each alert to every notifier, once.

Faust runs at-least-once, so after a restart an alert can arrive twice; alert ids are
deterministic. Each alert then goes to each sink through the same named steps, and the first
step that settles it ends it (as Alertmanager's notification stages do):

    skip delivered -> silenced -> breaker open -> send and record

Every step reads or writes the ledger, so there always is one: a live notifier's survives
restarts, a replay's or a test's is ``Ledger.memory()``.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kafka import KafkaConsumer
from kafka.errors import KafkaError
from pydantic import ValidationError

from borderwatch.core import metrics
from borderwatch.core.kafka import consumer
from borderwatch.core.models import Alert, Marker, parse_alert_message, utcnow
from borderwatch.core.settings import Settings
from borderwatch.notifiers.base import Notifier
from borderwatch.notifiers.ledger import DeliveryStatus, Ledger
from borderwatch.notifiers.silences import SilenceStore

log = logging.getLogger(__name__)


@dataclass
class EndTracker:
    """Knows a run is finished once every alerts partition has seen every articles marker."""

    run_id: str
    source_partitions: int
    alert_partitions: int
    seen: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))

    def add(self, alert_partition: int, marker: Marker) -> None:
        if marker.run_id != self.run_id:
            return
        self.seen[alert_partition].add(marker.source_partition)

    @property
    def done(self) -> bool:
        return len(self.seen) >= self.alert_partitions and all(
            len(s) >= self.source_partitions for s in self.seen.values()
        )


@dataclass
class Breaker:
    """A sink that just failed is not called again for ``hold_s`` (0 turns this off).

    During a Slack outage each call costs the client's whole retry budget (about 15 s), and a
    backlog of alerts would stall the consumer past its poll interval. Meanwhile alerts are
    queued in the ledger and the retry sweep probes the sink."""

    hold_s: float = 0.0
    clock: Callable[[], float] = time.monotonic
    _open: dict[str, tuple[float, str]] = field(default_factory=dict)

    def why_open(self, sink: str) -> str | None:
        """Why ``sink`` is being skipped right now, or None when it may be called."""
        until, reason = self._open.get(sink, (0.0, ""))
        return reason if self.clock() < until else None

    def trip(self, sink: str, reason: str) -> None:
        if self.hold_s > 0:
            self._open[sink] = (self.clock() + self.hold_s, reason[:200])

    def close(self, sink: str) -> bool:
        """After a success; True when the sink had been failing."""
        return self._open.pop(sink, None) is not None


def _nobody(*args: object) -> None:
    """The hook nobody listens to."""


@dataclass
class Dispatcher:
    notifiers: list[Notifier]
    ledger: Ledger
    silences: SilenceStore = field(default_factory=SilenceStore.memory)
    breaker: Breaker = field(default_factory=Breaker)
    # A replay's: only that run's alerts are delivered, and its markers tell when it is done.
    end: EndTracker | None = None
    on_alert: Callable[[Alert], None] = _nobody
    # Called with (alert, sink, reason) when a sink gives up: the live job sends it to
    # alerts.dlq, so the failure is visible and kept, not only logged.
    on_failure: Callable[[Alert, str, str], None] = _nobody
    # The open story an alert would join (the Slack story book's), for silences set on a
    # story from Slack; asked only while such a silence is active.
    story_of: Callable[[Alert], str | None] = lambda alert: None
    seen: set[str] = field(default_factory=set)
    by_category: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    silenced: Counter[str] = field(default_factory=Counter)
    # Skipped because the ledger says the sink has them (a redelivery, a repeated replay).
    already: Counter[str] = field(default_factory=Counter)
    invalid: int = 0

    def handle(self, raw: bytes | None, partition: int) -> None:
        alert = self._alert_in(raw, partition)
        if alert is None or alert.alert_id in self.seen:
            return
        self.seen.add(alert.alert_id)
        self.by_category[alert.category] += 1
        for notifier in self.notifiers:
            self.deliver(notifier, alert)
        self.on_alert(alert)

    def _alert_in(self, raw: bytes | None, partition: int) -> Alert | None:
        """The record's alert; None for an invalid record, a marker or another run's alert."""
        try:
            message = parse_alert_message(raw or b"")
        except ValidationError as exc:
            self.invalid += 1
            log.error("skipping invalid record on alerts partition %d: %s", partition, exc)
            return None
        if isinstance(message, Marker):
            if self.end is not None:
                self.end.add(partition, message)
            return None
        if self.end is not None and message.run_id != self.end.run_id:
            return None
        return message

    def deliver(self, notifier: Notifier, alert: Alert) -> DeliveryStatus:
        """One alert to one sink (first time or a retry): the first step that settles it wins."""
        return (
            self._skip_delivered(notifier, alert)
            or self._silenced(notifier, alert)
            or self._breaker_open(notifier, alert)
            or self._send_and_record(notifier, alert)
        )

    def _skip_delivered(self, notifier: Notifier, alert: Alert) -> DeliveryStatus | None:
        """Kafka redelivers after a restart: a sink that has the alert is not called again. A
        record left pending (the process died during the call) is checked with the sink."""
        known = self.ledger.get(alert.alert_id, notifier.name)
        if known is None:
            return None
        if known.status is DeliveryStatus.DELIVERED:
            _count(notifier, "duplicate_skipped")
            self.already[notifier.name] += 1
            return DeliveryStatus.DELIVERED
        if known.status is DeliveryStatus.PENDING:
            try:
                ref = notifier.find_delivered(alert, known.updated)
            except Exception as exc:  # the sink cannot be asked: a failed delivery, retried
                return self._failed(notifier, alert, exc, "looking for an earlier delivery")
            if ref is not None:  # the process died after the call, before recording it
                self.ledger.delivered(alert.alert_id, notifier.name, ref)
                return DeliveryStatus.DELIVERED
        return None

    def _silenced(self, notifier: Notifier, alert: Alert) -> DeliveryStatus | None:
        """A paging sink stays quiet under a silence; the alert is still recorded."""
        silence = self.silences.silencing(alert, story_of=self.story_of) if notifier.pages else None
        if silence is None:
            return None
        if "story" in silence.matchers:  # the story goes on quietly: the sink files the report
            notifier.held(alert)
        self.silenced[notifier.name] += 1
        log.info("alert %s silenced by %s (%s)", alert.alert_id, silence.silence_id,
                 silence.reason)  # fmt: skip
        _count(notifier, DeliveryStatus.SILENCED)
        self.ledger.silenced(alert.alert_id, notifier.name, silence.silence_id)
        return DeliveryStatus.SILENCED

    def _breaker_open(self, notifier: Notifier, alert: Alert) -> DeliveryStatus | None:
        """A sink that failed recently is not called: the alert is queued for the sweep."""
        why = self.breaker.why_open(notifier.name)
        if why is None:
            return None
        _count(notifier, "deferred")
        reason = f"not sent: {notifier.name} failed recently ({why}); queued for retry"
        self.ledger.failed(alert.alert_id, notifier.name, reason, alert.model_dump_json())
        return DeliveryStatus.FAILED

    def _send_and_record(self, notifier: Notifier, alert: Alert) -> DeliveryStatus:
        self.ledger.pending(alert.alert_id, notifier.name)
        try:
            ref = notifier.send(alert)
        except Exception as exc:  # one notifier's outage must not stop the others
            return self._failed(notifier, alert, exc, "delivering")
        if self.breaker.close(notifier.name):
            log.info("%s delivers again", notifier.name)
        self.ledger.delivered(alert.alert_id, notifier.name, ref)
        _count(notifier, DeliveryStatus.DELIVERED)
        if alert.article.fetched is not None and alert.run_id is None:  # live, not a replay
            metrics.LATENCY.observe((utcnow() - alert.article.fetched).total_seconds())
        return DeliveryStatus.DELIVERED

    def _failed(self, notifier: Notifier, alert: Alert, exc: Exception,
                doing: str) -> DeliveryStatus:  # fmt: skip
        """Count, log, trip the breaker, queue the alert for the sweep and tell on_failure."""
        self.failures[notifier.name] += 1
        _count(notifier, DeliveryStatus.FAILED)
        log.error(
            "%s failed %s alert %s: %s", notifier.name, doing, alert.alert_id, exc,
            extra={"alert_id": alert.alert_id, "article_id": alert.article.id,
                   "sink": notifier.name},
        )  # fmt: skip
        reason = f"{type(exc).__name__}: {exc}"
        self.breaker.trip(notifier.name, reason)
        self.ledger.failed(alert.alert_id, notifier.name, reason, alert.model_dump_json())
        self.on_failure(alert, notifier.name, reason)
        return DeliveryStatus.FAILED


def _count(notifier: Notifier, result: str) -> None:
    metrics.DELIVERIES.labels(notifier.name, result).inc()


def retry_failed(dispatcher: Dispatcher, now: float, base_delay_s: float) -> int:
    """Deliver again what failed before, once its backoff is over; returns how many were due."""
    sinks = {n.name: n for n in dispatcher.notifiers}
    due = dispatcher.ledger.due(now, base_delay_s)
    for delivery, payload in due:
        notifier = sinks.get(delivery.sink)
        if notifier is None or dispatcher.breaker.why_open(delivery.sink) is not None:
            continue  # one failed probe per sink per sweep; the rest wait for the next
        alert = Alert.model_validate_json(payload)
        log.info("retrying alert %s on %s (attempt %d)", alert.alert_id, delivery.sink,
                 delivery.attempts + 1)  # fmt: skip
        dispatcher.deliver(notifier, alert)
    return len(due)


def consume_alerts(
    settings: Settings,
    dispatcher: Dispatcher,
    group_id: str,
    stop: Callable[[], bool],
    poll_ms: int = 500,
    generation: Callable[[], int] = lambda: 0,
    retry: bool = True,
) -> None:
    """Poll until ``stop()``; offsets are committed only after the notifiers have run.
    Failed deliveries are retried from the ledger between polls, unless ``retry`` is off (a
    replay reports its failures instead).

    A new ``generation()`` means the topics were recreated empty (an embedded broker restart):
    the consumer is replaced, in a group of its own, so no stale position or commit skips
    what the new topics receive."""
    current = generation()
    kc = consumer(settings, group_id, settings.alerts_topic)
    metrics.mark_ready()
    next_retry = time.monotonic() + settings.retry_failed_s
    try:
        while not stop():
            if generation() != current:
                current = generation()
                log.warning("alerts topic recreated; consuming it afresh (generation %d)", current)
                _close(kc)
                kc = consumer(settings, f"{group_id}-g{current}", settings.alerts_topic)
            if retry and time.monotonic() >= next_retry:
                retry_failed(dispatcher, time.time(), settings.retry_failed_s)
                next_retry = time.monotonic() + min(settings.retry_failed_s, 30.0)
            batch = kc.poll(timeout_ms=poll_ms)
            for tp, records in batch.items():
                for record in records:
                    dispatcher.handle(record.value, tp.partition)
            if batch:
                _commit(kc)
            observe_lag(kc, batch)
            if dispatcher.end is not None and dispatcher.end.done:
                return
    finally:
        _close(kc)


def _commit(kc: KafkaConsumer) -> None:
    """A commit can fail when the group rebalanced meanwhile (a broker restart, a slow batch):
    the records come again to whoever owns the partition now, and the ledger skips what was
    delivered. That is no reason to stop the notifier."""
    try:
        kc.commit()
    except KafkaError as exc:
        log.warning("offset commit failed (%s); the ledger will skip alerts delivered again", exc)


def observe_lag(kc: KafkaConsumer, batch: dict[Any, list[Any]]) -> None:
    """Lag from what this poll returned (the next offset to read) and the high watermark the
    fetch response carried: both local, so measuring never waits on the broker."""
    group = str(kc.config["group_id"])
    for tp, records in batch.items():
        if records:
            metrics.record_lag(group, tp.topic, tp.partition, kc.highwater(tp),
                               records[-1].offset + 1)  # fmt: skip


def _close(kc: KafkaConsumer) -> None:
    try:
        kc.close(autocommit=False)
    except Exception as exc:  # closing must not hide the real error
        log.warning("closing the alerts consumer failed: %s", exc)
