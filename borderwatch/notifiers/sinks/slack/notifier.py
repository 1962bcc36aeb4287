"""Slack delivery through slack-sdk, with its own retry handlers for 429, 5xx and dropped links."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from borderwatch.core.models import Alert
from borderwatch.notifiers.base import Notifier
from borderwatch.notifiers.sinks.slack.blocks import (
    blocks,
    fallback_text,
    parent_blocks,
    reply_blocks,
)
from borderwatch.notifiers.sinks.slack.routing import ChannelRateLimiter, Router
from borderwatch.notifiers.sinks.slack.stories import StoryBook

log = logging.getLogger(__name__)

METADATA_EVENT = "borderwatch_alert"
HISTORY_SLACK_S = 120.0  # clock skew and retry time between our record and Slack's ts


@dataclass(frozen=True)
class ThreadPolicy:
    reply_gap_s: float = 60.0  # at most one thread reply per this many seconds per story
    escalate_sources: int = 3  # distinct sources that escalate a story ...
    escalate_window_s: float = 3600.0  # ... within this long of its first report


class SlackNotifier(Notifier):
    name = "slack"
    pages = True

    def __init__(
        self,
        token: SecretStr,
        channel: str,
        base_url: str = "https://slack.com/api/",
        max_retries: int = 5,
        timeout: int = 30,
        stories: StoryBook | None = None,
        policy: ThreadPolicy | None = None,
        router: Router | None = None,
        limiter: ChannelRateLimiter | None = None,
    ) -> None:
        self.stories = stories
        self.policy = policy or ThreadPolicy()
        self.router = router or Router(channel)
        self.limiter = limiter or ChannelRateLimiter()
        if not base_url.endswith("/"):
            base_url += "/"
        self.channel = channel
        self.client = WebClient(
            token=token.get_secret_value(),
            base_url=base_url,
            timeout=timeout,
            retry_handlers=[
                RateLimitErrorRetryHandler(max_retry_count=max_retries),
                ServerErrorRetryHandler(max_retry_count=max_retries),
                ConnectionErrorRetryHandler(max_retry_count=max_retries),
            ],
        )

    def __repr__(self) -> str:
        return f"SlackNotifier(channel={self.channel!r}, token=**********)"

    def _post(
        self,
        channel: str,
        alert: Alert,
        blocks_: list[dict[str, Any]],
        thread_ts: str | None = None,
        reply_broadcast: bool | None = None,
    ) -> str | None:
        self.limiter.wait(channel)
        response = self.client.chat_postMessage(
            channel=channel,
            text=fallback_text(alert),
            blocks=blocks_,
            unfurl_links=False,
            unfurl_media=False,
            # Lets a restarted notifier find a message it posted just before it died.
            metadata={"event_type": METADATA_EVENT, "event_payload": {"alert_id": alert.alert_id}},
            thread_ts=thread_ts,
            reply_broadcast=reply_broadcast,
        )
        ts = response.get("ts")
        return str(ts) if ts else None

    def send(self, alert: Alert) -> str | None:
        if self.stories is None:
            return self._post(self.router(alert), alert, blocks(alert))
        now = time.time()
        update = self.stories.file(alert, now)
        story = update.story
        if update.created or story.parent_ts is None:
            parent = parent_blocks(alert, story.source_count, story.first_at, story.last_at, False)
            story.channel = self.router(alert)
            story.parent_ts = self._post(story.channel, alert, parent)
            self.stories.save(story)
            return story.parent_ts
        policy = self.policy
        channel = story.channel or self.router(alert)  # a thread stays where it started
        escalate = (
            not story.escalated
            and story.source_count >= policy.escalate_sources
            and now - story.first_at <= policy.escalate_window_s
        )
        reply_ts = None
        # Throttle: a reply only for a source the thread has not heard from, and not too often.
        if escalate or (update.new_source and now - story.last_reply_at >= policy.reply_gap_s):
            reply_ts = self._post(
                channel,
                alert,
                reply_blocks(alert),
                thread_ts=story.parent_ts,
                reply_broadcast=escalate or None,
            )
            story.last_reply_at = now
        story.escalated = story.escalated or escalate
        self.stories.save(story)
        self.limiter.wait(channel)
        self.client.chat_update(
            channel=channel,
            ts=story.parent_ts,
            text=fallback_text(alert),
            blocks=parent_blocks(
                alert, story.source_count, story.first_at, story.last_at, story.escalated
            ),
        )
        return reply_ts or story.parent_ts

    def find_delivered(self, alert: Alert, since: float) -> str | None:
        """Look for a message carrying this alert's id: in the channel's recent history, and
        in its story's thread (replies do not appear in the channel history)."""
        story = self.stories.find(alert) if self.stories is not None else None
        channel = story.channel if story is not None and story.channel else self.router(alert)
        response = self.client.conversations_history(
            channel=channel,
            oldest=f"{since - HISTORY_SLACK_S:.6f}",
            include_all_metadata=True,
            limit=200,
        )
        found = _with_alert(response.get("messages") or [], alert.alert_id)
        if found is None and story is not None and story.parent_ts:
            replies = self.client.conversations_replies(
                channel=channel, ts=story.parent_ts, include_all_metadata=True
            )
            found = _with_alert(replies.get("messages") or [], alert.alert_id)
        return found


def _with_alert(messages: list[dict[str, Any]], alert_id: str) -> str | None:
    for message in messages:
        meta = message.get("metadata") or {}
        payload = meta.get("event_payload") or {}
        if meta.get("event_type") == METADATA_EVENT and payload.get("alert_id") == alert_id:
            return str(message.get("ts"))
    return None
