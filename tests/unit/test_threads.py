"""One story, one Slack thread: parent post, replies, parent updates, throttle, escalation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from borderwatch.core.models import Alert, ArticleRef, Casualty, Facts, Severity
from borderwatch.notifiers.sinks.slack.notifier import SlackNotifier, ThreadPolicy
from borderwatch.notifiers.sinks.slack.routing import ChannelRateLimiter
from borderwatch.notifiers.sinks.slack.stories import StoryBook
from tests.support.factories import FakeClock, make_alert
from tests.support.fakeslack import FakeSlack

FAST = ChannelRateLimiter(per_second=1000)  # the rate limit has its own test


def report(n: int, source: str, killed: int) -> Alert:
    base = make_alert(title=f"Guards fire on migrants at the fence ({source})")
    return base.model_copy(
        update={
            "alert_id": f"a{n}",
            "article": ArticleRef(id=f"x{n}", url=f"https://example.org/{n}", title=base.article.title,
                                  source=source),
            "facts": Facts(countries=["TUR", "GRC"],
                           casualties=[Casualty(count=killed, who="migrant", outcome="killed")]),
        }
    )  # fmt: skip


def slack(fake: FakeSlack, tmp_path: Path, **policy: float) -> SlackNotifier:
    return SlackNotifier(
        SecretStr("xoxb-threads"), "#ops", fake.base_url, max_retries=1, limiter=FAST,
        stories=StoryBook(tmp_path / "stories.db"), policy=ThreadPolicy(**policy),  # type: ignore[arg-type]
    )  # fmt: skip


def test_a_story_is_one_parent_with_replies_and_updates(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    notifier = slack(fake_slack, tmp_path, reply_gap_s=0, escalate_sources=99)
    parent_ts = notifier.send(report(1, "Wire A", 22))
    notifier.send(report(2, "Wire B", 33))
    posts = fake_slack.posts()
    assert len(posts) == 2
    assert "thread_ts" not in posts[0].body and posts[1].body["thread_ts"] == parent_ts
    (update,) = fake_slack.by_method("chat.update")
    assert update.body["ts"] == parent_ts
    text = json.dumps(update.body["blocks"])
    assert "33 migrants killed" in text and "2 source(s)" in text


def test_throttle_one_reply_per_source_and_a_minimum_gap(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    notifier = slack(fake_slack, tmp_path, reply_gap_s=3600, escalate_sources=99)
    notifier.send(report(1, "Wire A", 2))
    notifier.send(report(2, "Wire B", 2))  # new source: a reply
    notifier.send(report(3, "Wire B", 2))  # same source again: no reply
    notifier.send(report(4, "Wire C", 2))  # new source, but inside the gap: no reply
    assert len(fake_slack.posts()) == 2
    updates = fake_slack.by_method("chat.update")
    assert len(updates) == 3  # the parent still tracks every report
    assert "3 source(s)" in json.dumps(updates[-1].body["blocks"])


def test_escalation_broadcasts_and_raises_severity(fake_slack: FakeSlack, tmp_path: Path) -> None:
    notifier = slack(fake_slack, tmp_path, reply_gap_s=0, escalate_sources=3)
    for n, source in enumerate(["Wire A", "Wire B", "Wire C", "Wire D"], 1):
        notifier.send(report(n, source, 2).model_copy(update={"severity": Severity.high}))
    replies = fake_slack.posts()[1:]
    broadcast = [r.body.get("reply_broadcast") for r in replies]
    assert broadcast == [None, True, None]  # only the confirming third source broadcasts
    last_parent = json.dumps(
        fake_slack.by_method("chat.update")[-1].body["blocks"], ensure_ascii=False
    )
    assert "[CRITICAL] border shooting · ESCALATED" in last_parent


def test_threads_continue_after_a_restart(fake_slack: FakeSlack, tmp_path: Path) -> None:
    parent_ts = slack(fake_slack, tmp_path, reply_gap_s=0).send(report(1, "Wire A", 2))
    restarted = slack(fake_slack, tmp_path, reply_gap_s=0)
    restarted.send(report(2, "Wire B", 2))
    assert fake_slack.posts()[-1].body["thread_ts"] == parent_ts


def test_routing_by_category_severity_and_country(fake_slack: FakeSlack, tmp_path: Path) -> None:
    from borderwatch.core.settings import SlackRoute
    from borderwatch.notifiers.sinks.slack.routing import Router

    router = Router(
        "#ops",
        [
            SlackRoute(channel="#greece-desk", countries=["GRC"], min_severity=Severity.high),
            SlackRoute(channel="#shootings", categories=["border_shooting"]),
        ],
    )
    notifier = SlackNotifier(SecretStr("x"), "#ops", fake_slack.base_url, max_retries=1,
                             limiter=FAST, router=router)  # fmt: skip
    base = report(1, "Wire A", 2)  # border_shooting, critical, TUR+GRC
    notifier.send(base)
    notifier.send(base.model_copy(update={"alert_id": "b", "severity": Severity.low}))
    notifier.send(base.model_copy(update={"alert_id": "c", "category": "border_closure",
                                          "facts": Facts(countries=["MEX"])}))  # fmt: skip
    assert [p.body["channel"] for p in fake_slack.posts()] == ["#greece-desk", "#shootings", "#ops"]


def test_a_route_with_min_confidence_takes_only_sure_alerts(fake_slack: FakeSlack) -> None:
    from borderwatch.core.settings import SlackRoute
    from borderwatch.notifiers.sinks.slack.routing import Router

    router = Router(
        "#ops",
        [
            SlackRoute(channel="#shootings", categories=["border_shooting"], min_confidence=0.6),
            SlackRoute(channel="#greece-desk", countries=["GRC"]),
        ],
    )
    notifier = SlackNotifier(SecretStr("x"), "#ops", fake_slack.base_url, max_retries=1,
                             limiter=FAST, router=router)  # fmt: skip
    base = report(1, "Wire A", 2)  # border_shooting in TUR+GRC
    for n, confidence, band in [(1, 0.6, "likely"), (2, 0.59, "unconfirmed"), (3, None, None)]:
        notifier.send(base.model_copy(update={"alert_id": f"m{n}", "confidence": confidence,
                                              "band": band}))  # fmt: skip
    # at the minimum it is taken; below it, or unscored (from before confidence), it falls
    # through to the next route
    assert [p.body["channel"] for p in fake_slack.posts()] == ["#shootings", "#greece-desk",
                                                              "#greece-desk"]  # fmt: skip
    assert "likely (0.60)" in fake_slack.posts()[0].body["text"]
    with pytest.raises(ValidationError):
        SlackRoute(channel="#x", min_confidence=1.5)


def test_rate_limit_spaces_calls_per_channel() -> None:
    clock = FakeClock()
    limiter = ChannelRateLimiter(per_second=1.0, clock=clock, sleep=clock.sleep)
    waits = [limiter.wait("#a"), limiter.wait("#a"), limiter.wait("#b"), limiter.wait("#a")]
    # the second call to #a waits a second, #b is free, the third call to #a waits again
    assert waits == [0.0, 1.0, 0.0, 1.0]
    assert clock.slept == [1.0, 1.0]


def test_thread_policy_comes_from_settings(tmp_path: Path) -> None:
    from borderwatch.core.settings import Settings
    from borderwatch.runtime.wiring import build_notifiers

    settings = Settings(
        data_dir=tmp_path, slack_token="xoxb-x", slack_channel="#ops", console=False,
        slack_reply_gap_s=5, escalate_sources=7, story_window_s=600,
        slack_routes=[{"channel": "#tr", "countries": ["TUR"]}],  # type: ignore[list-item]
    )  # fmt: skip
    (slack,) = build_notifiers(settings, slack=True, console=False)
    assert isinstance(slack, SlackNotifier) and slack.stories is not None
    assert (slack.policy.reply_gap_s, slack.policy.escalate_sources) == (5, 7)
    assert slack.stories.window_s == 600
    assert slack.router(report(1, "W", 1)) == "#tr"
