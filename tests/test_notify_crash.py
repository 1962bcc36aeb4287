"""SIGKILL of the notifier process between the Slack call and the offset commit: no duplicate.

The fake Slack records the post and then holds its answer; the notifier is killed while it
waits, so Slack has the message but neither the ledger nor the consumer offset knows. The
restarted notifier must find the message (by its metadata) instead of posting again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from borderwatch.kafka import ensure_topics, producer
from borderwatch.settings import Settings
from notifiers.ledger import DELIVERED, Ledger
from notifiers.runner import wait_until
from tests.conftest import ROOT
from tests.factories import make_alert
from tests.fakeslack import FakeSlack
from tests.test_e2e import isolated_settings

pytestmark = pytest.mark.e2e


def _notify(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "borderwatch.cli", "notify"],
        cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip


def notify_env(settings: Settings, tmp_path: Path, fake_slack: FakeSlack,
               **extra: str) -> dict[str, str]:  # fmt: skip
    """The environment of a ``borderwatch notify`` process on the test's topics and Slack."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BORDERWATCH_")}
    env.update(
        BORDERWATCH_KAFKA_BOOTSTRAP=str(settings.kafka_bootstrap),
        BORDERWATCH_KAFKA_IDEMPOTENCE="false",
        BORDERWATCH_TOPIC_PREFIX=settings.topic_prefix,
        BORDERWATCH_APP_ID=settings.app_id,
        BORDERWATCH_DATA_DIR=str(tmp_path / "data"),
        BORDERWATCH_SESSION_TIMEOUT_S="6",
        BORDERWATCH_SLACK_TOKEN="xoxb-crash-test",
        BORDERWATCH_SLACK_CHANNEL="#ops",
        BORDERWATCH_SLACK_BASE_URL=fake_slack.base_url,
        BORDERWATCH_CONSOLE="false",
        **{f"BORDERWATCH_{k.upper()}": v for k, v in extra.items()},
    )
    return env


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
    first = _notify(env, log)
    try:
        assert fake_slack.holding.wait(timeout=120), log.read_text()[-3000:]
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        fake_slack.hold.clear()
        fake_slack.release.set()
    assert len([c for c in fake_slack.posts() if c.ts]) == 1

    second = _notify(env, log)
    ledger = Ledger(tmp_path / "data" / "state" / "ledger.sqlite3")
    try:

        def delivered() -> bool:
            record = ledger.get(alert.alert_id, "slack")
            return record is not None and record.status == DELIVERED

        assert wait_until(delivered, timeout=120), log.read_text()[-3000:]
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=60)
    posted = [c for c in fake_slack.posts() if c.ts]
    assert len(posted) == 1, "the restarted notifier posted the alert again"
    assert any(c.method == "conversations.history" for c in fake_slack.calls)
    record = ledger.get(alert.alert_id, "slack")
    assert record is not None and record.ref == posted[0].ts
