"""Channels by name or ID, as real Slack has them: only ``chat.postMessage`` takes a name.

The fake follows Slack's rules (a name anywhere else is ``channel_not_found``), so a notifier
that kept the configured name for its thread updates or its crash-recovery lookup fails here
as it would on the first real workspace.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import SecretStr
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from borderwatch.core.models import Alert, ArticleRef
from borderwatch.core.settings import SlackRoute
from borderwatch.notifiers.dispatch import Dispatcher, retry_failed
from borderwatch.notifiers.ledger import DeliveryStatus, Ledger
from borderwatch.notifiers.sinks.slack.notifier import SlackNotifier
from borderwatch.notifiers.sinks.slack.routing import ChannelRateLimiter, Router
from borderwatch.notifiers.sinks.slack.stories import StoryBook
from tests.support.factories import make_alert
from tests.support.fakeslack import FakeSlack

FAST = ChannelRateLimiter(per_second=1000)  # the rate limit has its own test


def client(fake: FakeSlack) -> WebClient:
    return WebClient(token="xoxb-fake", base_url=fake.base_url)


def report(n: int, source: str) -> Alert:
    base = make_alert(title=f"Guards fire on migrants ({source})")
    return base.model_copy(
        update={
            "alert_id": f"c{n}",
            "article": ArticleRef(id=f"x{n}", url=f"https://example.org/{n}",
                                  title=base.article.title, source=source),
        }
    )  # fmt: skip


def threaded(fake: FakeSlack, tmp_path: Path, channel: str = "#ops",
             router: Router | None = None) -> SlackNotifier:  # fmt: skip
    return SlackNotifier(
        SecretStr("xoxb-channels"), channel, fake.base_url, max_retries=1, limiter=FAST,
        stories=StoryBook(tmp_path / "stories.db"), router=router,
    )  # fmt: skip


def test_the_fake_takes_names_only_in_post_message(fake_slack: FakeSlack) -> None:
    slack = client(fake_slack)
    ops = fake_slack.channel_id("ops")
    by_hash = slack.chat_postMessage(channel="#ops", text="one")
    by_name = slack.chat_postMessage(channel="ops", text="two")
    by_id = slack.chat_postMessage(channel=ops, text="three")
    assert {by_hash["channel"], by_name["channel"], by_id["channel"]} == {ops}
    with pytest.raises(SlackApiError) as unknown:
        slack.chat_postMessage(channel="#nowhere", text="lost")
    assert unknown.value.response["error"] == "channel_not_found"

    ts = str(by_hash["ts"])
    for call in (
        lambda c: slack.chat_update(channel=c, ts=ts, text="edited"),
        lambda c: slack.conversations_history(channel=c),
        lambda c: slack.conversations_replies(channel=c, ts=ts),
        lambda c: slack.chat_getPermalink(channel=c, message_ts=ts),
    ):
        for name in ("#ops", "ops"):
            with pytest.raises(SlackApiError) as refused:
                call(name)
            assert refused.value.response["error"] == "channel_not_found"
        assert call(ops)["ok"]
    history = slack.conversations_history(channel=ops)["messages"]
    assert [m["text"] for m in history] == ["three", "two", "one"]


def test_the_fake_lists_channels_page_by_page(fake_slack: FakeSlack) -> None:
    fake_slack.add_channel("late-desk")
    slack = client(fake_slack)
    seen: dict[str, str] = {}
    cursor = None
    pages = 0
    while True:
        page = slack.conversations_list(limit=200, cursor=cursor)
        seen.update({c["name"]: c["id"] for c in page["channels"]})
        pages += 1
        cursor = page["response_metadata"]["next_cursor"] or None
        if cursor is None:
            break
    assert pages > 1  # a client that ignores the cursor misses channels
    assert seen == fake_slack.channels and seen["late-desk"] == fake_slack.channel_id("late-desk")


def test_a_thread_started_by_channel_name_is_updated_by_id(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    notifier = threaded(fake_slack, tmp_path, "#ops")
    parent_ts = notifier.send(report(1, "Wire A"))
    notifier.send(report(2, "Wire B"))
    ops = fake_slack.channel_id("ops")
    (update,) = fake_slack.by_method("chat.update")
    assert (update.body["channel"], update.body["ts"]) == (ops, parent_ts)
    reply = fake_slack.posts()[-1]
    assert reply.body["thread_ts"] == parent_ts and reply.channel_id == ops
    assert "2 source(s)" in json.dumps(update.body["blocks"])
    assert notifier.stories is not None
    story = notifier.stories.find(report(1, "Wire A"))
    assert story is not None and story.channel == ops  # the ID Slack answered, not the name
    assert fake_slack.by_method("conversations.list") == []  # the answer said it: no lookup


@pytest.mark.parametrize("given", ["name", "id"])
def test_routes_may_give_channels_by_name_or_id(
    fake_slack: FakeSlack, tmp_path: Path, given: str
) -> None:
    desk = fake_slack.channel_id("greece-desk")
    channel = "#greece-desk" if given == "name" else desk
    router = Router("#ops", [SlackRoute(channel=channel, countries=["GRC"])])
    notifier = threaded(fake_slack, tmp_path, router=router)
    notifier.send(report(1, "Wire A"))
    notifier.send(report(2, "Wire B"))
    assert [p.channel_id for p in fake_slack.posts()] == [desk, desk]
    (update,) = fake_slack.by_method("chat.update")
    assert update.body["channel"] == desk


def test_recovery_lookup_resolves_a_name_once_then_finds_the_message(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    """Died after posting, before recording: the restart must look in the channel's history,
    which takes only an ID; the name is resolved by listing (every page), once."""
    late = fake_slack.add_channel("late-desk")  # on the last page of conversations.list
    ledger = Ledger(tmp_path / "l.db")
    first, second = report(1, "Wire A"), report(2, "Wire B")
    for alert in (first, second):
        ledger.pending(alert.alert_id, "slack")
        SlackNotifier(SecretStr("x"), "#late-desk", fake_slack.base_url, max_retries=1,
                      limiter=FAST).send(alert)  # the call just before the crash  # fmt: skip
    restarted = SlackNotifier(SecretStr("x"), "#late-desk", fake_slack.base_url, max_retries=1,
                              limiter=FAST)  # fmt: skip
    dispatcher = Dispatcher([restarted], ledger=ledger)
    dispatcher.handle(first.to_bytes(), 0)
    dispatcher.handle(second.to_bytes(), 0)
    assert len(fake_slack.posts()) == 2  # nothing posted twice
    for alert in (first, second):
        record = ledger.get(alert.alert_id, "slack")
        assert record is not None and record.status is DeliveryStatus.DELIVERED
    assert {c.body["channel"] for c in fake_slack.by_method("conversations.history")} == {late}
    pages = len(fake_slack.by_method("conversations.list"))
    assert pages == -(-len(fake_slack.channels) // fake_slack.page_size)  # one listing


def test_a_failed_recovery_lookup_is_a_failed_delivery_retried_later(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    """Slack cannot be asked whether the message exists (here: listing the channels fails):
    the alert is a failed delivery for the retry sweep, not an exception out of the consumer."""
    alert = report(1, "Wire A")
    ledger = Ledger(tmp_path / "l.db")
    ledger.pending(alert.alert_id, "slack")
    dispatcher = Dispatcher(
        [SlackNotifier(SecretStr("x"), "#ops", fake_slack.base_url, max_retries=1, limiter=FAST)],
        ledger=ledger,
    )
    fake_slack.error_next("internal_error")  # conversations.list answers ok: false
    dispatcher.handle(alert.to_bytes(), 0)  # must not raise
    record = ledger.get(alert.alert_id, "slack")
    assert record is not None and record.status is DeliveryStatus.FAILED
    assert dispatcher.failures["slack"] == 1 and fake_slack.posts() == []
    retry_failed(dispatcher, now=record.updated + 10**6, base_delay_s=1)
    record = ledger.get(alert.alert_id, "slack")
    assert record is not None and record.status is DeliveryStatus.DELIVERED
    assert len([p for p in fake_slack.posts() if p.ts]) == 1


def test_an_unknown_channel_name_fails_the_delivery_with_its_name(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    alert = report(1, "Wire A")
    ledger = Ledger(tmp_path / "l.db")
    ledger.pending(alert.alert_id, "slack")
    notifier = SlackNotifier(SecretStr("x"), "#no-such-desk", fake_slack.base_url,
                             max_retries=1, limiter=FAST)  # fmt: skip
    Dispatcher([notifier], ledger=ledger).handle(alert.to_bytes(), 0)
    record = ledger.get(alert.alert_id, "slack")
    assert record is not None and record.status is DeliveryStatus.FAILED
    assert "no-such-desk" in str(record.reason)
