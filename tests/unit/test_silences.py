"""Silences: matched alerts are recorded but not posted; the CLI adds, lists and expires them."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from borderwatch.cli import app
from borderwatch.core.errors import BorderwatchError
from borderwatch.core.models import Alert
from borderwatch.notifiers.dispatch import Dispatcher
from borderwatch.notifiers.ledger import DeliveryStatus, Ledger
from borderwatch.notifiers.silences import (
    SilenceStore,
    describe,
    matches,
    parse_duration,
    parse_matchers,
)
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


def _scored(alert_id: str, confidence: float | None, band: str | None) -> Alert:
    return make_alert().model_copy(
        update={"alert_id": alert_id, "confidence": confidence, "band": band}
    )


@pytest.mark.parametrize(
    ("text", "stored"),
    [("confidence<0.5", {"confidence": "<0.5"}), ("confidence <= .4", {"confidence": "<=0.4"}),
     ("confidence>=1", {"confidence": ">=1"}), ("min_confidence=0.5", {"confidence": "<0.5"}),
     ("band=unconfirmed,category=border_shooting",
      {"band": "unconfirmed", "category": "border_shooting"})],
)  # fmt: skip
def test_confidence_and_band_matchers(text: str, stored: dict[str, str]) -> None:
    assert parse_matchers(text) == stored


@pytest.mark.parametrize(
    ("text", "code"),
    [("band=maybe", "S008"), ("confidence<1.5", "S008"), ("confidence<high", "S008"),
     ("min_confidence=-0.1", "S008"), ("confidence=0.5", "S002"), ("min_confidence<0.5", "S002"),
     ("country<TUR", "S002"), ("confidence<0.5,min_confidence=0.4", "S004")],
)  # fmt: skip
def test_bad_confidence_matchers_are_named(text: str, code: str) -> None:
    with pytest.raises(BorderwatchError) as info:
        parse_matchers(text)
    assert info.value.problems[0].code == code


def test_a_silence_mutes_alerts_below_a_confidence_or_in_a_band() -> None:
    low, sure, unscored = _scored("a1", 0.35, "unconfirmed"), _scored("a2", 0.9, "confirmed"), \
        _scored("a3", None, None)  # fmt: skip
    below = parse_matchers("min_confidence=0.5")
    assert matches(below, low) and not matches(below, sure)
    assert not matches(below, unscored)  # an unknown is not a low
    assert matches(parse_matchers("confidence<=0.35"), low)
    assert matches(parse_matchers("confidence>0.8"), sure)
    band = parse_matchers("band=unconfirmed")
    assert matches(band, low) and not matches(band, sure) and not matches(band, unscored)
    both = parse_matchers("band=unconfirmed,country=MEX")
    assert not matches(both, low)  # all must hold
    assert not matches({"confidence": "<nonsense"}, low)  # a hand-edited store mutes nothing
    assert describe(parse_matchers("band=likely,min_confidence=0.6")) == (
        "band=likely,confidence<0.6"
    )


def test_low_confidence_alerts_are_recorded_not_paged(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    store = SilenceStore(tmp_path / "s.db")
    store.add(parse_matchers("confidence<0.5"), 86400, "noisy feed week")
    slack = SlackNotifier(
        SecretStr("xoxb-s"), "#ops", fake_slack.base_url, max_retries=1, limiter=FAST
    )
    ledger = Ledger(tmp_path / "l.db")
    jsonl = JsonlNotifier(tmp_path / "alerts.jsonl")
    dispatcher = Dispatcher([slack, jsonl], ledger=ledger, silences=store)
    dispatcher.handle(_scored("low", 0.3, "unconfirmed").to_bytes(), 0)
    dispatcher.handle(_scored("sure", 0.8, "confirmed").to_bytes(), 1)
    posted = [p.body["text"] for p in fake_slack.posts()]
    assert len(posted) == 1 and "confirmed (0.80)" in posted[0]
    record = ledger.get("low", "slack")
    assert record is not None and record.status == DeliveryStatus.SILENCED
    assert '"alert_id":"low"' in (tmp_path / "alerts.jsonl").read_text()


def test_silence_cli_takes_matchers_as_an_argument(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"BORDERWATCH_DATA_DIR": str(tmp_path)}
    added = runner.invoke(
        app, ["silence", "add", "band=unconfirmed", "--for", "24h", "--reason", "noisy"], env=env
    )
    assert added.exit_code == 0, added.output
    both = runner.invoke(
        app, ["silence", "add", "min_confidence=0.5", "--match", "country=TUR", "--for", "1h",
              "--reason", "low ones on Turkey"], env=env,
    )  # fmt: skip
    assert both.exit_code == 0, both.output
    listed = runner.invoke(app, ["silence", "list"], env=env).output
    assert "band=unconfirmed" in listed and "confidence<0.5,country=TUR" in listed
    bad = runner.invoke(app, ["silence", "add", "band=sure", "--for", "1h", "--reason", "x"],
                        env=env)  # fmt: skip
    assert bad.exit_code == 1 and "[S008] unknown band 'sure'" in bad.output
    none = runner.invoke(app, ["silence", "add", "--for", "1h", "--reason", "x"], env=env)
    assert none.exit_code == 1 and "[S002]" in none.output
