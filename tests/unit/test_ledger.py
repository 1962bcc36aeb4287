"""The delivery ledger: a restart at any point neither loses an alert nor posts it twice."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from borderwatch.notifiers.dispatch import Breaker, Dispatcher
from borderwatch.notifiers.ledger import DeliveryStatus, Ledger
from borderwatch.notifiers.sinks.slack.notifier import SlackNotifier
from borderwatch.notifiers.sinks.slack.routing import ChannelRateLimiter
from tests.support.factories import make_alert
from tests.support.fakeslack import FakeSlack

FAST = ChannelRateLimiter(per_second=1000)  # the rate limit has its own test


def _slack(fake: FakeSlack) -> SlackNotifier:
    return SlackNotifier(
        SecretStr("xoxb-ledger"), "#ops", fake.base_url, max_retries=1, limiter=FAST
    )


def test_redelivered_alert_is_not_posted_twice(fake_slack: FakeSlack, tmp_path: Path) -> None:
    """Crash after the ledger write, before the offset commit: Kafka redelivers the alert."""
    alert = make_alert()
    raw = alert.to_bytes()
    Dispatcher([_slack(fake_slack)], ledger=Ledger(tmp_path / "l.db")).handle(raw, 0)
    # a new process: fresh in-memory state, the same ledger file
    ledger = Ledger(tmp_path / "l.db")
    Dispatcher([_slack(fake_slack)], ledger=ledger).handle(raw, 0)
    assert len(fake_slack.posts()) == 1
    record = ledger.get(alert.alert_id, "slack")
    assert record is not None and record.status == DeliveryStatus.DELIVERED
    assert record.ref == fake_slack.posts()[0].ts


def test_crash_between_slack_call_and_ledger_write(fake_slack: FakeSlack, tmp_path: Path) -> None:
    """The process posted, then died before recording it: the restart finds the message."""
    alert = make_alert()
    ledger = Ledger(tmp_path / "l.db")
    ledger.pending(alert.alert_id, "slack")
    posted_ts = _slack(fake_slack).send(alert)  # the call that happened just before the crash
    Dispatcher([_slack(fake_slack)], ledger=ledger).handle(alert.to_bytes(), 0)
    assert len(fake_slack.posts()) == 1
    record = ledger.get(alert.alert_id, "slack")
    assert record is not None and record.ref == posted_ts
    assert record.status == DeliveryStatus.DELIVERED


def test_crash_before_the_slack_call_still_delivers(fake_slack: FakeSlack, tmp_path: Path) -> None:
    """Pending but never posted: the restart posts it (nothing is lost)."""
    alert = make_alert()
    ledger = Ledger(tmp_path / "l.db")
    ledger.pending(alert.alert_id, "slack")
    Dispatcher([_slack(fake_slack)], ledger=ledger).handle(alert.to_bytes(), 0)
    assert len(fake_slack.posts()) == 1
    # "#ops" is a name and the history takes only IDs: the channels are listed (every page) first
    methods = [c.method for c in fake_slack.calls]
    assert set(methods[:-2]) == {"conversations.list"}
    assert methods[-2:] == ["conversations.history", "chat.postMessage"]
    assert fake_slack.by_method("conversations.history")[0].body["channel"] == (
        fake_slack.channel_id("#ops")
    )


def test_failures_are_recorded_with_the_reason(fake_slack: FakeSlack, tmp_path: Path) -> None:
    fake_slack.fail_next(500, times=2)  # the first attempt and its one retry
    ledger = Ledger(tmp_path / "l.db")
    dispatcher = Dispatcher([_slack(fake_slack)], ledger=ledger)
    alert = make_alert()
    dispatcher.handle(alert.to_bytes(), 0)
    (failed,) = ledger.failures("slack")
    assert failed.alert_id == alert.alert_id and failed.status == DeliveryStatus.FAILED
    assert "500" in (failed.reason or "") or "fatal_error" in (failed.reason or "")
    assert dispatcher.failures["slack"] == 1
    # a later attempt (after the outage) delivers it and the ledger says so
    Dispatcher([_slack(fake_slack)], ledger=ledger).handle(alert.to_bytes(), 0)
    record = ledger.get(alert.alert_id, "slack")
    assert record is not None and record.status == DeliveryStatus.DELIVERED and record.attempts == 2
    assert record.status != DeliveryStatus.PENDING


def test_crash_after_a_thread_reply_is_reconciled(fake_slack: FakeSlack, tmp_path: Path) -> None:
    """A reply is not in the channel history; the thread is searched too."""
    from borderwatch.notifiers.sinks.slack.stories import StoryBook

    def threaded() -> SlackNotifier:
        return SlackNotifier(SecretStr("xoxb-ledger"), "#ops", fake_slack.base_url, limiter=FAST,
                             max_retries=1, stories=StoryBook(tmp_path / "s.db"))  # fmt: skip

    first = make_alert()
    second = first.model_copy(
        update={"alert_id": "a2", "article": first.article.model_copy(update={"source": "Other"})}
    )
    ledger = Ledger(tmp_path / "l.db")
    Dispatcher([threaded()], ledger=ledger).handle(first.to_bytes(), 0)
    ledger.pending(second.alert_id, "slack")
    reply_ts = threaded().send(second)  # posted as a reply, then the process died
    Dispatcher([threaded()], ledger=ledger).handle(second.to_bytes(), 0)
    assert len(fake_slack.posts()) == 2
    record = ledger.get(second.alert_id, "slack")
    assert record is not None and record.ref == reply_ts
    assert record.status == DeliveryStatus.DELIVERED


def test_failed_delivery_is_retried_after_backoff(fake_slack: FakeSlack, tmp_path: Path) -> None:
    from borderwatch.notifiers.dispatch import retry_failed

    fake_slack.fail_next(503, times=2)  # an outage that outlasts the retry budget
    ledger = Ledger(tmp_path / "l.db")
    failures: list[tuple[str, str]] = []
    dispatcher = Dispatcher(
        [_slack(fake_slack)],
        ledger=ledger,
        on_failure=lambda a, sink, why: failures.append((a.alert_id, sink)),
    )
    alert = make_alert()
    dispatcher.handle(alert.to_bytes(), 0)
    assert failures == [(alert.alert_id, "slack")]
    assert [p for p in fake_slack.posts() if p.ts] == []  # only failed calls so far
    failed_at = ledger.failures()[0].updated
    assert retry_failed(dispatcher, failed_at + 10, base_delay_s=60) == 0  # still backing off
    assert retry_failed(dispatcher, failed_at + 61, base_delay_s=60) == 1
    assert len([p for p in fake_slack.posts() if p.ts]) == 1
    assert ledger.get(alert.alert_id, "slack").status == DeliveryStatus.DELIVERED  # type: ignore[union-attr]
    assert retry_failed(dispatcher, failed_at + 999, base_delay_s=60) == 0  # nothing left


def test_outage_recovery_delivers_every_alert_once(fake_slack: FakeSlack, tmp_path: Path) -> None:
    """429 with Retry-After, then a run of 5xx and an ok:false error: every alert arrives once."""
    from borderwatch.notifiers.dispatch import retry_failed

    fake_slack.fail_next(429, retry_after=1)
    fake_slack.fail_next(503, times=3)
    fake_slack.error_next("internal_error")
    ledger = Ledger(tmp_path / "l.db")
    dispatcher = Dispatcher([_slack(fake_slack)], ledger=ledger)
    alerts = [make_alert().model_copy(update={"alert_id": f"o{i}"}) for i in range(5)]
    for alert in alerts:
        dispatcher.handle(alert.to_bytes(), 0)
    dispatcher.handle(alerts[0].to_bytes(), 0)  # a redelivery during the outage
    assert ledger.failures(), "the outage should outlast the retry budget for some alerts"
    now = max(d.updated for d in ledger.failures())
    for step in range(1, 6):  # the notifier's periodic sweep, after each backoff
        retry_failed(dispatcher, now + 60 * 2**step, base_delay_s=60)
    delivered = [
        p.body["metadata"]["event_payload"]["alert_id"] for p in fake_slack.posts() if p.ts
    ]
    assert sorted(delivered) == [f"o{i}" for i in range(5)]
    assert all(ledger.get(f"o{i}", "slack").status == DeliveryStatus.DELIVERED for i in range(5))  # type: ignore[union-attr]


def test_breaker_queues_alerts_while_a_sink_is_failing(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    """After a failure, the sink is not called for breaker_s; alerts wait in the ledger, and
    a sweep sends one probe per sink, then the rest once the probe succeeds."""
    from borderwatch.notifiers.dispatch import retry_failed
    from tests.support.factories import FakeClock

    clock = FakeClock(100.0)
    ledger = Ledger(tmp_path / "l.db")
    dispatcher = Dispatcher([_slack(fake_slack)], ledger=ledger, breaker=Breaker(30, clock))
    fake_slack.fail_next(503, times=2)  # the first alert's call and its one retry
    alerts = [make_alert().model_copy(update={"alert_id": f"b{i}"}) for i in range(4)]
    for alert in alerts:
        dispatcher.handle(alert.to_bytes(), 0)
    assert len(fake_slack.calls) == 2  # only the first alert reached Slack
    assert {d.alert_id for d in ledger.failures("slack")} == {"b0", "b1", "b2", "b3"}
    assert "queued for retry" in str(ledger.get("b3", "slack").reason)  # type: ignore[union-attr]
    assert dispatcher.breaker.why_open("slack") is not None

    fake_slack.fail_next(503, times=2)  # still down at the first sweep: one probe only
    clock.sleep(31)
    retry_failed(dispatcher, now=10**10, base_delay_s=1)
    assert len(fake_slack.calls) == 4
    clock.sleep(31)  # Slack is back: the probe succeeds and the same sweep sends the rest
    retry_failed(dispatcher, now=10**10, base_delay_s=1)
    assert all(ledger.get(a.alert_id, "slack").status == DeliveryStatus.DELIVERED for a in alerts)  # type: ignore[union-attr]
    posted = [c.body["metadata"]["event_payload"]["alert_id"] for c in fake_slack.posts() if c.ts]
    assert sorted(posted) == ["b0", "b1", "b2", "b3"]
