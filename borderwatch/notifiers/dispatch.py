"""Consuming ``alerts`` and handing each alert to every notifier, once.

Faust runs at-least-once, so after a restart an alert can arrive twice; alert ids are
deterministic, and the runner drops ids it has already delivered.
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
from borderwatch.notifiers.ledger import DELIVERED, PENDING, Ledger
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
class Dispatcher:
    notifiers: list[Notifier]
    run_id: str | None = None
    end: EndTracker | None = None
    delivered: set[str] = field(default_factory=set)
    by_category: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    invalid: int = 0
    on_alert: Callable[[Alert], None] | None = None
    ledger: Ledger | None = None
    silences: SilenceStore | None = None
    silenced: Counter[str] = field(default_factory=Counter)
    # Called with (alert, sink, reason) when a sink gives up: the pipeline sends it to
    # alerts.dlq, so the failure is visible and kept, not only logged.
    on_failure: Callable[[Alert, str, str], None] | None = None
    # A sink that just failed is not called again for this long: during a Slack outage each
    # call costs the client's whole retry budget (about 15 s), and a backlog of alerts would
    # stall the consumer past its poll interval. Alerts meanwhile are queued in the ledger
    # (so this needs one) and the retry sweep probes the sink. 0 turns it off.
    breaker_s: float = 0.0
    clock: Callable[[], float] = time.monotonic
    _open: dict[str, tuple[float, str]] = field(default_factory=dict)

    def sink_open(self, sink: str) -> str | None:
        """Why ``sink`` is being skipped right now, or None when it may be called."""
        until, reason = self._open.get(sink, (0.0, ""))
        return reason if self.clock() < until else None

    def handle(self, raw: bytes | None, partition: int) -> None:
        try:
            message = parse_alert_message(raw or b"")
        except ValidationError as exc:
            self.invalid += 1
            log.error("skipping invalid record on alerts partition %d: %s", partition, exc)
            return
        if isinstance(message, Marker):
            if self.end is not None:
                self.end.add(partition, message)
            return
        if self.run_id is not None and message.run_id != self.run_id:
            return
        if message.alert_id in self.delivered:
            return
        self.delivered.add(message.alert_id)
        self.by_category[message.category] += 1
        silence = self.silences.silencing(message) if self.silences is not None else None
        for notifier in self.notifiers:
            if silence is not None and notifier.pages:
                self.silenced[notifier.name] += 1
                log.info("alert %s silenced by %s (%s)", message.alert_id, silence.silence_id,
                         silence.reason)  # fmt: skip
                metrics.DELIVERIES.labels(notifier.name, "silenced").inc()
                if self.ledger is not None:
                    self.ledger.silenced(message.alert_id, notifier.name, silence.silence_id)
                continue
            self._deliver(notifier, message)
        if self.on_alert is not None:
            self.on_alert(message)

    def _deliver(self, notifier: Notifier, alert: Alert) -> None:
        ledger = self.ledger
        if ledger is not None:
            known = ledger.get(alert.alert_id, notifier.name)
            if known is not None and known.status == DELIVERED:
                metrics.DELIVERIES.labels(notifier.name, "duplicate_skipped").inc()
                return  # redelivered by Kafka after a restart: already done
            if known is not None and known.status == PENDING:
                ref = notifier.find_delivered(alert, known.updated)
                if ref is not None:  # the process died after the call, before recording it
                    ledger.delivered(alert.alert_id, notifier.name, ref)
                    return
            skipped = self.sink_open(notifier.name) if self.breaker_s > 0 else None
            if skipped is not None:
                metrics.DELIVERIES.labels(notifier.name, "deferred").inc()
                reason = f"not sent: {notifier.name} failed recently ({skipped}); queued for retry"
                ledger.failed(alert.alert_id, notifier.name, reason, alert.model_dump_json())
                return
            ledger.pending(alert.alert_id, notifier.name)
        try:
            ref = notifier.send(alert)
        except Exception as exc:  # one notifier's outage must not stop the others
            self.failures[notifier.name] += 1
            metrics.DELIVERIES.labels(notifier.name, "failed").inc()
            log.error(
                "%s failed to deliver alert %s: %s", notifier.name, alert.alert_id, exc,
                extra={"alert_id": alert.alert_id, "article_id": alert.article.id,
                       "sink": notifier.name},
            )  # fmt: skip
            reason = f"{type(exc).__name__}: {exc}"
            if self.breaker_s > 0:
                self._open[notifier.name] = (self.clock() + self.breaker_s, reason[:200])
            if ledger is not None:
                ledger.failed(alert.alert_id, notifier.name, reason, alert.model_dump_json())
            if self.on_failure is not None:
                self.on_failure(alert, notifier.name, reason)
            return
        if self._open.pop(notifier.name, None) is not None:
            log.info("%s delivers again", notifier.name)
        if ledger is not None:
            ledger.delivered(alert.alert_id, notifier.name, ref)
        metrics.DELIVERIES.labels(notifier.name, "delivered").inc()
        if alert.article.fetched is not None and alert.run_id is None:  # live, not a replay
            metrics.LATENCY.observe((utcnow() - alert.article.fetched).total_seconds())


def retry_failed(dispatcher: Dispatcher, now: float, base_delay_s: float) -> int:
    """Deliver again what failed before, once its backoff is over; returns how many were due."""
    if dispatcher.ledger is None:
        return 0
    sinks = {n.name: n for n in dispatcher.notifiers}
    due = dispatcher.ledger.due(now, base_delay_s)
    for delivery, payload in due:
        notifier = sinks.get(delivery.sink)
        if notifier is None or dispatcher.sink_open(delivery.sink) is not None:
            continue  # one failed probe per sink per sweep; the rest wait for the next
        alert = Alert.model_validate_json(payload)
        log.info("retrying alert %s on %s (attempt %d)", alert.alert_id, delivery.sink,
                 delivery.attempts + 1)  # fmt: skip
        dispatcher._deliver(notifier, alert)
    return len(due)


def consume_alerts(
    settings: Settings,
    dispatcher: Dispatcher,
    group_id: str,
    stop: Callable[[], bool],
    poll_ms: int = 500,
    generation: Callable[[], int] = lambda: 0,
) -> None:
    """Poll until ``stop()``; offsets are committed only after the notifiers have run.
    Failed deliveries are retried from the ledger between polls.

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
            if dispatcher.ledger is not None and time.monotonic() >= next_retry:
                retry_failed(dispatcher, time.time(), settings.retry_failed_s)
                next_retry = time.monotonic() + min(settings.retry_failed_s, 30.0)
            batch = kc.poll(timeout_ms=poll_ms)
            for tp, records in batch.items():
                for record in records:
                    dispatcher.handle(record.value, tp.partition)
            if batch:
                _commit(kc)
            _record_lag(kc, batch)
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


def _record_lag(kc: KafkaConsumer, batch: dict[Any, list[Any]]) -> None:
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


def wait_until(condition: Callable[[], bool], timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()
