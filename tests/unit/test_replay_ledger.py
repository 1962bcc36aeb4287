"""A replay's ledger: the live one for paging sinks, memory for its console and JSONL output."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from borderwatch.core.settings import Settings
from borderwatch.notifiers.dispatch import Dispatcher
from borderwatch.notifiers.ledger import DeliveryStatus, Ledger
from borderwatch.notifiers.sinks.jsonl import JsonlNotifier
from borderwatch.notifiers.sinks.slack.notifier import SlackNotifier
from borderwatch.notifiers.sinks.slack.routing import ChannelRateLimiter
from borderwatch.runtime.replay_ledger import ReplayLedger, replay_ledger
from tests.support.factories import make_alert
from tests.support.fakeslack import FakeSlack


def test_paging_sinks_use_the_live_ledger_and_the_output_sinks_do_not(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path)
    out = tmp_path / "replay.jsonl"

    def notifiers() -> list[SlackNotifier | JsonlNotifier]:
        slack = SlackNotifier(SecretStr("x"), "#ops", fake_slack.base_url, max_retries=1,
                              limiter=ChannelRateLimiter(per_second=1000))  # fmt: skip
        return [slack, JsonlNotifier(out)]

    alert = make_alert()
    for _ in range(2):  # the same replay twice
        sinks = notifiers()
        ledger = replay_ledger(settings, list(sinks))
        assert isinstance(ledger, ReplayLedger)
        dispatcher = Dispatcher(list(sinks), ledger=ledger)
        dispatcher.handle(alert.to_bytes(), 0)
        ledger.close()
    assert len(fake_slack.posts()) == 1  # Slack once
    assert dispatcher.already == {"slack": 1}
    assert out.read_text().count(alert.alert_id) == 2  # the replay's own output both times
    live = Ledger(settings.state_path("ledger.sqlite3"))
    record = live.get(alert.alert_id, "slack")
    assert record is not None and record.status is DeliveryStatus.DELIVERED
    assert live.get(alert.alert_id, "jsonl") is None  # a live run's JSONL is not told


def test_a_dry_run_keeps_nothing(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    ledger = replay_ledger(settings, [JsonlNotifier(tmp_path / "a.jsonl")])
    assert not isinstance(ledger, ReplayLedger) and ledger.in_memory


def test_a_replay_failure_is_not_queued_for_the_live_sweep(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path)
    slack = SlackNotifier(SecretStr("x"), "#ops", fake_slack.base_url, max_retries=0,
                          limiter=ChannelRateLimiter(per_second=1000))  # fmt: skip
    fake_slack.fail_next(500)
    ledger = replay_ledger(settings, [slack])
    Dispatcher([slack], ledger=ledger).handle(make_alert().to_bytes(), 0)
    live = Ledger(settings.state_path("ledger.sqlite3"))
    assert [d.status for d in live.failures()] == [DeliveryStatus.FAILED]
    assert live.due(now=10**12, base_delay_s=1) == []  # the live notifier does not post it
