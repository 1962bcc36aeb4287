"""Slack delivery through slack-sdk, with its own retry handlers for 429, 5xx and dropped links.

Channels may be configured by name ("#ops", "ops") or by ID ("C0123ABCD"). Slack takes a name
only in ``chat.postMessage``, which answers with the channel's ID; ``chat.update`` and the
history and thread reads take only IDs. So a story stores the ID Slack answered with, and a
name needed before any post (the crash-recovery lookup) is resolved through
``conversations.list``, once, and cached.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
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
from borderwatch.notifiers.feedback import FeedbackStore
from borderwatch.notifiers.sinks.slack.blocks import (
    blocks,
    fallback_text,
    parent_blocks,
    reply_blocks,
)
from borderwatch.notifiers.sinks.slack.interact import action_blocks, marks_blocks
from borderwatch.notifiers.sinks.slack.routing import ChannelRateLimiter, Router
from borderwatch.notifiers.sinks.slack.stories import Story, StoryBook, alert_time

log = logging.getLogger(__name__)

METADATA_EVENT = "borderwatch_alert"
HISTORY_SLACK_S = 120.0  # clock skew and retry time between our record and Slack's ts
RELIST_S = 300.0  # a name not found is looked up again at most this often (a new channel)
# Public channels start with C, private ones (older workspaces) with G.
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{6,}$")


class ChannelNotFound(LookupError):
    """A configured channel name that ``conversations.list`` does not know (or cannot see)."""


def is_channel_id(channel: str) -> bool:
    return bool(_CHANNEL_ID.match(channel))


def channel_name(channel: str) -> str:
    return channel.strip().lstrip("#").lower()


def digest(text: str, blocks_: list[dict[str, Any]]) -> str:
    """What a parent shows, as a short fingerprint: equal means no ``chat.update`` is due."""
    raw = json.dumps({"text": text, "blocks": blocks_}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


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
        feedback: FeedbackStore | None = None,
        buttons: bool = False,
    ) -> None:
        self.stories = stories
        # Clicks on the parents (who did what is shown there); buttons only when something
        # answers them (a click endpoint or Socket Mode), else Slack shows the user an error.
        self.feedback = feedback
        self.buttons = buttons
        self.policy = policy or ThreadPolicy()
        self.router = router or Router(channel)
        self.limiter = limiter or ChannelRateLimiter()
        if not base_url.endswith("/"):
            base_url += "/"
        self.channel = channel
        self._ids: dict[str, str] = {}  # channel name -> ID, from answers and listings
        self._listed_at: float | None = None
        self._ids_lock = threading.Lock()
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

    def _known_id(self, channel: str) -> str | None:
        if is_channel_id(channel):
            return channel
        with self._ids_lock:
            return self._ids.get(channel_name(channel))

    def channel_id(self, channel: str) -> str:
        """The ID of a channel given by name or ID. Names are resolved by listing the
        channels the token can see (every page), once, then from the cache; raises
        ``ChannelNotFound`` (or Slack's error) so the delivery fails and is retried."""
        known = self._known_id(channel)
        if known is not None:
            return known
        with self._ids_lock:
            name = channel_name(channel)
            fresh = self._listed_at is not None and time.monotonic() - self._listed_at < RELIST_S
            if name not in self._ids and not fresh:
                self._ids.update(self._list_channels())
                self._listed_at = time.monotonic()
            if name in self._ids:
                return self._ids[name]
        raise ChannelNotFound(
            f"Slack channel {channel!r} not found among the channels this token can see "
            "(invite the app to it, or configure the channel's ID)"
        )

    def _list_channels(self) -> dict[str, str]:
        found: dict[str, str] = {}
        cursor: str | None = None
        while True:
            response = self.client.conversations_list(
                types="public_channel,private_channel", exclude_archived=True, limit=200,
                cursor=cursor,
            )  # fmt: skip
            for channel in response.get("channels") or []:
                if channel.get("name") and channel.get("id"):
                    found[str(channel["name"]).lower()] = str(channel["id"])
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return found

    def _post(
        self,
        channel: str,
        alert: Alert,
        blocks_: list[dict[str, Any]],
        thread_ts: str | None = None,
        reply_broadcast: bool | None = None,
        text: str | None = None,
    ) -> tuple[str, str | None]:
        """Post; returns the channel's ID (as Slack answered) and the message's ts."""
        self.limiter.wait(self._known_id(channel) or channel)
        response = self.client.chat_postMessage(
            channel=channel,
            text=text or fallback_text(alert),
            blocks=blocks_,
            unfurl_links=False,
            unfurl_media=False,
            # Lets a restarted notifier find a message it posted just before it died.
            metadata={"event_type": METADATA_EVENT, "event_payload": {"alert_id": alert.alert_id}},
            thread_ts=thread_ts,
            reply_broadcast=reply_broadcast,
        )
        ts = response.get("ts")
        answered = str(response.get("channel") or channel)
        if not is_channel_id(channel) and is_channel_id(answered):
            with self._ids_lock:
                self._ids[channel_name(channel)] = answered
        return answered, str(ts) if ts else None

    def send(self, alert: Alert) -> str | None:
        if self.stories is None:
            return self._post(self.router(alert), alert, blocks(alert))[1]
        at = alert_time(alert)
        update = self.stories.file(alert, at)
        story = update.story
        view = story.view
        assert view is not None  # filed stories always have one
        if update.created or story.parent_ts is None:
            text, shown = self._parent(story)
            story.channel, story.parent_ts = self._post(self.router(alert), alert, shown,
                                                        text=text)  # fmt: skip
            story.posted = digest(text, shown)
            self.stories.save(story)
            return story.parent_ts
        policy = self.policy
        # A thread stays where it started; stories stored before IDs were kept hold a name.
        channel = self.channel_id(story.channel or self.router(alert))
        story.channel = channel
        # Confirmed: enough distinct sources within the window of the first report, by the
        # reports' own times (a replay handles them all at once).
        confirmed = view.sources_within(story.first_at, policy.escalate_window_s)
        escalate = not story.escalated and confirmed >= policy.escalate_sources
        reply_ts = None
        # Throttle: a reply only for a source the thread has not heard from, and not too often
        # (on the clock: it protects the channel's readers, whatever the reports' own times).
        now = time.time()
        if escalate or (update.new_source and now - story.last_reply_at >= policy.reply_gap_s):
            reply_ts = self._post(
                channel,
                alert,
                reply_blocks(alert),
                thread_ts=story.parent_ts,
                # once someone has acknowledged the story, its channel need not hear it again
                reply_broadcast=(escalate and not self._acknowledged(story)) or None,
            )[1]
            story.last_reply_at = now
        story.escalated = story.escalated or escalate
        self.stories.save(story)
        text, shown = self._parent(story)
        posted = digest(text, shown)
        if posted != story.posted:  # a parent is edited only when what it shows changes
            self.limiter.wait(channel)
            self.client.chat_update(channel=channel, ts=story.parent_ts, text=text, blocks=shown)
            story.posted = posted
            self.stories.save(story)
        return reply_ts or story.parent_ts

    def _parent(self, story: Story) -> tuple[str, list[dict[str, Any]]]:
        """The parent as it should look now: the story's view, who did what, the buttons."""
        assert story.view is not None  # filed stories always have one
        shown_alert = story.view.shown()
        shown = parent_blocks(shown_alert, story.source_count, story.first_at, story.last_at,
                              story.escalated)  # fmt: skip
        if self.feedback is not None:
            shown += marks_blocks(self.feedback.for_story(story.story_id))
        if self.buttons:
            shown += action_blocks(story.story_id, story.category)
        return fallback_text(shown_alert), shown

    def _acknowledged(self, story: Story) -> bool:
        return self.feedback is not None and self.feedback.acknowledged(story.story_id) is not None

    def refresh_parent(self, story_id: str) -> bool:
        """Re-render a story's parent after a click (who did what); True when it was edited.
        Writes only the parent's fingerprint back, since the notifier may be filing a report
        into the same story meanwhile (another thread, or another process)."""
        story = self.stories.get(story_id) if self.stories is not None else None
        if story is None or story.view is None or not story.parent_ts or not story.channel:
            return False
        assert self.stories is not None
        channel = self.channel_id(story.channel)
        text, shown = self._parent(story)
        posted = digest(text, shown)
        if posted == story.posted:
            return False
        self.limiter.wait(channel)
        self.client.chat_update(channel=channel, ts=story.parent_ts, text=text, blocks=shown)
        self.stories.set_posted(story_id, posted)
        return True

    def held(self, alert: Alert) -> None:
        """A silenced story keeps filing its reports (no post, no edit), so it stays open
        while they come and its digest counts them."""
        if self.stories is not None:
            self.stories.file(alert, alert_time(alert))

    def permalink(self, channel: str, ts: str) -> str | None:
        """A link to a message (a story's thread), or None when Slack cannot give one."""
        response = self.client.chat_getPermalink(channel=self.channel_id(channel), message_ts=ts)
        link = response.get("permalink")
        return str(link) if link else None

    def find_delivered(self, alert: Alert, since: float) -> str | None:
        """Look for a message carrying this alert's id: in the channel's recent history, and
        in its story's thread (replies do not appear in the channel history). Raises when
        Slack cannot be asked (an unknown channel name, an outage): the caller must not
        guess that nothing was posted."""
        story = self.stories.find(alert, alert_time(alert)) if self.stories is not None else None
        channel = self.channel_id(
            story.channel if story is not None and story.channel else self.router(alert)
        )
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
