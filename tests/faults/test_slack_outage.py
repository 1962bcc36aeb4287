"""A Slack outage through the real ``borderwatch notify`` process: two 429s with Retry-After,
then 25 seconds of 503s, longer than slack-sdk's whole retry budget for one call (about 15 s).
Alerts keep arriving during it; afterwards each is posted once."""

from __future__ import annotations

import signal
import time
from pathlib import Path

from borderwatch.core.kafka import ensure_topics, producer
from borderwatch.core.models import Alert
from borderwatch.notifiers.ledger import DeliveryStatus, Ledger
from tests.support.factories import make_alert
from tests.support.fakeslack import FakeSlack
from tests.support.fixtures import isolated_settings, notify_env, notify_process
from tests.support.waiting import wait_until

OUTAGE_S = 25.0
STORIES = [  # (country, sentence): no shared place or wording, so no two share a story
    ("POL", "Soldiers shot at a van on the forest road near the eastern frontier."),
    ("HUN", "A patrol opened fire when a truck rammed the fence at dawn."),
    ("ESP", "Officers fired rubber bullets at swimmers rounding the breakwater."),
    ("MEX", "Agents discharged weapons during a chase beside the dry riverbed."),
    ("IND", "Troops fired warning shots over villagers herding cattle at night."),
    ("BGD", "Gunfire from a watchtower hit a farmer cutting grass by the wire."),
    ("IRN", "Sentries shot porters carrying fuel canisters across the ridge."),
    ("LBY", "Coastguards fired on a dinghy leaving the harbour before sunrise."),
]


def _alert(i: int) -> Alert:
    """Distinct stories, so each alert is a parent message of its own."""
    country, sentence = STORIES[i]
    base = make_alert(title=sentence.split(" at ")[0], sentence=sentence)
    facts = base.facts.model_copy(update={"countries": [country]})
    return base.model_copy(
        update={"alert_id": f"outage-{i}", "group": f"border_shooting:{country}", "facts": facts}
    )


def test_429_then_a_long_run_of_5xx_delivers_every_alert_once(
    kafka: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    settings = isolated_settings(kafka, tmp_path)
    ensure_topics(settings)
    fake_slack.fail_next(429, times=2, retry_after=1)
    fake_slack.outage_after_script(503, OUTAGE_S)
    env = notify_env(settings, tmp_path, fake_slack, retry_failed_s="2", sink_breaker_s="2")
    log = tmp_path / "notify.log"
    p = producer(settings)

    def send(alerts: list[Alert]) -> None:
        for a in alerts:
            p.send(settings.alerts_topic, key=a.group.encode(), value=a.to_bytes())
        p.flush()

    alerts = [_alert(i) for i in range(len(STORIES))]
    send(alerts[:4])
    proc = notify_process(env, log)
    ledger = Ledger(tmp_path / "data" / "state" / "ledger.sqlite3")
    try:
        assert wait_until(lambda: fake_slack.outage_until is not None, timeout=120), \
            log.read_text()[-3000:]  # fmt: skip
        send(alerts[4:])  # more alerts while Slack is down
        assert wait_until(lambda: len(ledger.failures("slack")) >= 4, timeout=60), \
            log.read_text()[-3000:]  # fmt: skip
        assert not [c for c in fake_slack.posts() if c.ts], "posted during the outage"

        def all_delivered() -> bool:
            records = [ledger.get(a.alert_id, "slack") for a in alerts]
            return all(r is not None and r.status == DeliveryStatus.DELIVERED for r in records)

        assert wait_until(all_delivered, timeout=OUTAGE_S + 120), log.read_text()[-3000:]
        assert fake_slack.outage_until is not None and time.monotonic() >= fake_slack.outage_until
        assert proc.poll() is None, "the notifier died during the outage"
    finally:
        p.close()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    posted = [c.body["metadata"]["event_payload"]["alert_id"] for c in fake_slack.posts() if c.ts]
    assert sorted(posted) == sorted(a.alert_id for a in alerts)  # each exactly once
    statuses = [c for c in fake_slack.posts() if not c.ts]
    assert len(statuses) >= 4, "the outage was not felt"
    # the breaker keeps the outage from costing every alert the client's whole retry budget
    assert len(statuses) < 6 * 12, len(statuses)
