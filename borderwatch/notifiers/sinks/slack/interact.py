"""The buttons on a story's parent message, and reading Slack's ``block_actions`` payloads.

Pure: it builds Block Kit and parses dicts, and touches no store and no network, so the HTTP
endpoint and the Socket Mode client (``runtime.interact``) read a click the same way.

The story a click is about travels in the actions block's ``block_id`` (``bw_story:<id>``):
the buttons' values then need to say only what was chosen, and a click on a message posted
by an earlier run still names its story, which the story book keeps across restarts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from borderwatch.core.models import CATEGORIES, stable_id
from borderwatch.notifiers.feedback import Click, Verdict
from borderwatch.notifiers.sinks.slack.blocks import escape

BLOCK_PREFIX = "bw_story:"
ACK = "bw_ack"
SILENCE = "bw_silence"
NOT_RELEVANT = "bw_not_relevant"
CATEGORY = "bw_category"
ACTIONS = {ACK: Verdict.acknowledged, SILENCE: Verdict.silenced,
           NOT_RELEVANT: Verdict.not_relevant, CATEGORY: Verdict.wrong_category}  # fmt: skip
# Silence lengths: None is "until the story goes quiet" (silences.UNTIL_QUIET_S at most).
SILENCE_FOR: dict[str, float | None] = {"6h": 6 * 3600.0, "24h": 24 * 3600.0, "quiet": None}
SILENCE_LABEL = {"6h": "for 6 h", "24h": "for 24 h", "quiet": "until it goes quiet"}
_STORY = re.compile(r"^[0-9a-f]{8,64}$")
_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")
MAX_MARKS = 8  # "who did what" lines on the parent; older ones are counted


class BadClick(ValueError):
    """A payload Borderwatch cannot act on; the message is safe to show to the user."""


class UnknownAction(BadClick):
    pass


def category_label(category: str) -> str:
    return category.replace("_", " ")


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text}, "value": value}


def action_blocks(story_id: str, category: str) -> list[dict[str, Any]]:
    """Acknowledge, Silence story (6 h / 24 h / until quiet), Not relevant, Wrong category."""
    others = [c for c in CATEGORIES if c != category]
    return [
        {
            "type": "actions",
            "block_id": BLOCK_PREFIX + story_id,
            "elements": [
                {"type": "button", "action_id": ACK, "style": "primary", "value": "ack",
                 "text": {"type": "plain_text", "text": "Acknowledge"}},
                {"type": "static_select", "action_id": SILENCE,
                 "placeholder": {"type": "plain_text", "text": "Silence story"},
                 "options": [_option(f"Silence {SILENCE_LABEL[k]}", k) for k in SILENCE_FOR]},
                {"type": "button", "action_id": NOT_RELEVANT, "value": "not_relevant",
                 "text": {"type": "plain_text", "text": "Not relevant"}},
                {"type": "static_select", "action_id": CATEGORY,
                 "placeholder": {"type": "plain_text", "text": "Wrong category →"},
                 "options": [_option(category_label(c), c) for c in others]},
            ],
        }
    ]  # fmt: skip


def mention(user_id: str) -> str:
    """``<@U123>`` for a well-formed user ID (Slack shows the name); anything else escaped."""
    return f"<@{user_id}>" if _USER.match(user_id) else escape(user_id)


def mark_line(click: Click) -> str:
    when = click.when
    who = mention(click.user_id)
    if click.verdict is Verdict.acknowledged:
        return f"Acknowledged by {who} at {when}"
    if click.verdict is Verdict.silenced:
        length = SILENCE_LABEL.get(click.detail, escape(click.detail))
        return f"Silenced {length} by {who} at {when}"
    if click.verdict is Verdict.not_relevant:
        return f"{who}: not relevant ({when})"
    return f"{who}: category should be {escape(category_label(click.detail))} ({when})"


def marks_blocks(clicks: list[Click]) -> list[dict[str, Any]]:
    """Who did what, for the parent: the first acknowledgement, then the latest others."""
    if not clicks:
        return []
    ack = next((c for c in clicks if c.verdict is Verdict.acknowledged), None)
    rest = [c for c in clicks if c is not ack and c.verdict is not Verdict.acknowledged]
    shown = ([ack] if ack else []) + rest[-(MAX_MARKS - (1 if ack else 0)) :]
    lines = [mark_line(c) for c in shown]
    hidden = len(clicks) - len(shown)
    if hidden:
        lines.append(f"(+{hidden} more)")
    return [{"type": "context", "elements": [{"type": "mrkdwn", "text": t} for t in lines]}]


@dataclass(frozen=True)
class ClickIn:
    """One button press or menu choice, as read from Slack's payload."""

    verdict: Verdict
    choice: str  # the silence's length or the right category; "" for the buttons
    story_id: str
    user_id: str
    user_name: str
    action_ts: str
    channel_id: str | None
    message_ts: str | None
    response_url: str | None

    @property
    def click_id(self) -> str:
        return stable_id("click", self.user_id, self.action_ts, self.verdict.value, self.choice)


def _text(value: object, limit: int = 200) -> str:
    return str(value)[:limit] if isinstance(value, str | int | float) else ""


def parse_click(payload: dict[str, Any]) -> ClickIn:
    """The click in a ``block_actions`` payload; ``BadClick`` (``UnknownAction`` for a button
    that is not ours, or a choice that is not offered) when there is nothing to act on."""
    if payload.get("type") != "block_actions":
        raise BadClick(f"not a block_actions payload ({_text(payload.get('type'))!r})")
    actions = payload.get("actions")
    if not isinstance(actions, list) or not actions or not isinstance(actions[0], dict):
        raise BadClick("no action in the payload")
    action = actions[0]
    action_id = _text(action.get("action_id"))
    if action_id not in ACTIONS:
        raise UnknownAction(f"unknown action {action_id!r}")
    verdict = ACTIONS[action_id]
    choice = ""
    if action_id in (SILENCE, CATEGORY):
        selected = action.get("selected_option")
        choice = _text(selected.get("value")) if isinstance(selected, dict) else ""
        offered = SILENCE_FOR if action_id == SILENCE else CATEGORIES
        if choice not in offered:
            raise UnknownAction(f"unknown choice {choice!r} for {action_id}")
    block_id = _text(action.get("block_id"), 300)
    story_id = block_id.removeprefix(BLOCK_PREFIX)
    if not block_id.startswith(BLOCK_PREFIX) or not _STORY.match(story_id):
        raise BadClick("the button names no story")
    user = payload.get("user") if isinstance(payload.get("user"), dict) else {}
    assert isinstance(user, dict)
    user_id = _text(user.get("id"), 40)
    if not user_id:
        raise BadClick("no user in the payload")
    container = payload.get("container") if isinstance(payload.get("container"), dict) else {}
    channel = payload.get("channel") if isinstance(payload.get("channel"), dict) else {}
    assert isinstance(container, dict) and isinstance(channel, dict)
    response_url = payload.get("response_url")
    return ClickIn(
        verdict=verdict,
        choice=choice,
        story_id=story_id,
        user_id=user_id,
        user_name=_text(user.get("username") or user.get("name"), 80),
        action_ts=_text(action.get("action_ts"), 40) or _text(payload.get("trigger_id"), 80),
        channel_id=_text(channel.get("id") or container.get("channel_id"), 40) or None,
        message_ts=_text(container.get("message_ts"), 40) or None,
        response_url=response_url if isinstance(response_url, str) else None,
    )
