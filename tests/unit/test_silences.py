"""Silences: matched alerts are recorded but not posted; the CLI adds, lists and expires them."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from borderwatch.cli import app
from borderwatch.core.errors import BorderwatchError
from borderwatch.notifiers.dispatch import Dispatcher
from borderwatch.notifiers.ledger import DeliveryStatus, Ledger
from borderwatch.notifiers.silences import SilenceStore, parse_duration, parse_matchers
from borderwatch.notifiers.sinks.jsonl import JsonlNotifier
from borderwatch.notifiers.sinks.slack.notifier import SlackNotifier
from borderwatch.notifiers.sinks.slack.routing import ChannelRateLimiter
from tests.support.factories import make_alert
from tests.support.fakeslack import FakeSlack


@pytest.mark.parametrize(
    ("text", "code"),
    [("category", "S002"), ("colour=red", "S003"), ("country=TUR,country=GRC", "S004"),
     ("severity=loud", "S005"), ("", "S002")],
)  # fmt: skip
def test_bad_matchers_are_named(text: str, code: str) -> None:
    with pytest.raises(BorderwatchError) as info:
        parse_matchers(text)
    assert info.value.problems[0].code == code


FAST = ChannelRateLimiter(per_second=1000)  # the rate limit has its own test


def test_durations() -> None:
    assert parse_duration("6h") == 21600 and parse_duration("30m") == 1800
    with pytest.raises(BorderwatchError):
        parse_duration("soon")


def test_silenced_alert_is_recorded_not_posted(fake_slack: FakeSlack, tmp_path: Path) -> None:
    store = SilenceStore(tmp_path / "s.db")
    silence = store.add(parse_matchers("category=border_shooting,country=TUR"), 3600, "known")
    ledger = Ledger(tmp_path / "l.db")
    slack = SlackNotifier(
        SecretStr("xoxb-s"), "#ops", fake_slack.base_url, max_retries=1, limiter=FAST
    )
    jsonl = JsonlNotifier(tmp_path / "alerts.jsonl")
    dispatcher = Dispatcher([slack, jsonl], ledger=ledger, silences=store)
    alert = make_alert()  # border_shooting in TUR, GRC
    dispatcher.handle(alert.to_bytes(), 0)
    assert fake_slack.posts() == []
    assert dispatcher.silenced["slack"] == 1
    record = ledger.get(alert.alert_id, "slack")
    assert record is not None and record.ref == silence.silence_id
    assert record.status == DeliveryStatus.SILENCED
    assert alert.alert_id in (tmp_path / "alerts.jsonl").read_text()  # still recorded
    # another country is not silenced
    other = make_alert().model_copy(
        update={"alert_id": "a2", "facts": alert.facts.model_copy(update={"countries": ["MEX"]})}
    )
    dispatcher.handle(other.to_bytes(), 0)
    assert len(fake_slack.posts()) == 1
    # once expired, alerts page again
    assert store.expire(silence.silence_id)
    later = make_alert().model_copy(update={"alert_id": "a3"})
    Dispatcher([slack], ledger=ledger, silences=store).handle(later.to_bytes(), 0)
    assert len(fake_slack.posts()) == 2


def test_silence_cli(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"BORDERWATCH_DATA_DIR": str(tmp_path)}
    added = runner.invoke(
        app, ["silence", "add", "--match", "category=border_shooting,country=TUR", "--for", "6h",
              "--reason", "known story"], env=env,
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    silence_id = added.output.split()[1]
    listed = runner.invoke(app, ["silence", "list"], env=env)
    assert silence_id in listed.output and "category=border_shooting,country=TUR" in listed.output
    assert runner.invoke(app, ["silence", "expire", silence_id], env=env).exit_code == 0
    assert silence_id not in runner.invoke(app, ["silence", "list"], env=env).output
    assert silence_id in runner.invoke(app, ["silence", "list", "--all"], env=env).output
    again = runner.invoke(app, ["silence", "expire", silence_id], env=env)
    assert again.exit_code == 1 and "[S007]" in again.output
    bad = runner.invoke(
        app, ["silence", "add", "--match", "colour=red", "--for", "1h", "--reason", "x"], env=env
    )
    assert bad.exit_code == 1 and "[S003] unknown matcher key 'colour'" in bad.output
