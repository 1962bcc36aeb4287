"""SIGKILL of the notifier process between the Slack call and the offset commit: no duplicate.

The fake Slack records the post and then holds its answer; the notifier is killed while it
waits, so Slack has the message but neither the ledger nor the consumer offset knows. The
restarted notifier must find the message (by its metadata) instead of posting again.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from borderwatch.core.kafka import ensure_topics, producer
from borderwatch.notifiers.ledger import DeliveryStatus, Ledger
from tests.support.factories import make_alert
from tests.support.fakeslack import FakeSlack
from tests.support.fixtures import isolated_settings, notify_env, notify_process
from tests.support.waiting import wait_until


def test_kill_between_slack_call_and_commit_posts_once(
    kafka: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    settings = isolated_settings(kafka, tmp_path)
    ensure_topics(settings)
    alert = make_alert()
    p = producer(settings)
    p.send(settings.alerts_topic, key=alert.group.encode(), value=alert.to_bytes())
    p.flush()
    p.close()
    env = notify_env(settings, tmp_path, fake_slack)
    log = tmp_path / "notify.log"
    fake_slack.hold.set()
    first = notify_process(env, log)
    try:
        assert fake_slack.holding.wait(timeout=120), log.read_text()[-3000:]
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        fake_slack.hold.clear()
        fake_slack.release.set()
    assert len([c for c in fake_slack.posts() if c.ts]) == 1

    second = notify_process(env, log)
    ledger = Ledger(tmp_path / "data" / "state" / "ledger.sqlite3")
    try:

        def delivered() -> bool:
            record = ledger.get(alert.alert_id, "slack")
            return record is not None and record.status == DeliveryStatus.DELIVERED

        assert wait_until(delivered, timeout=120), log.read_text()[-3000:]
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=60)
    posted = [c for c in fake_slack.posts() if c.ts]
    assert len(posted) == 1, "the restarted notifier posted the alert again"
    assert any(c.method == "conversations.history" for c in fake_slack.calls)
    record = ledger.get(alert.alert_id, "slack")
    assert record is not None and record.ref == posted[0].ts
