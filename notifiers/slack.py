"""Slack delivery through slack-sdk, with its own retry handlers for 429, 5xx and dropped links."""

from __future__ import annotations

import logging

from pydantic import SecretStr
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from borderwatch.models import Alert
from notifiers.base import Notifier
from notifiers.slackfmt import blocks, fallback_text

log = logging.getLogger(__name__)

METADATA_EVENT = "borderwatch_alert"
HISTORY_SLACK_S = 120.0  # clock skew and retry time between our record and Slack's ts


class SlackNotifier(Notifier):
    name = "slack"

    def __init__(
        self,
        token: SecretStr,
        channel: str,
        base_url: str = "https://slack.com/api/",
        max_retries: int = 5,
        timeout: int = 30,
    ) -> None:
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

    def send(self, alert: Alert) -> str | None:
        response = self.client.chat_postMessage(
            channel=self.channel,
            text=fallback_text(alert),
            blocks=blocks(alert),
            unfurl_links=False,
            unfurl_media=False,
            # Lets a restarted notifier find a message it posted just before it died.
            metadata={"event_type": METADATA_EVENT, "event_payload": {"alert_id": alert.alert_id}},
        )
        ts = response.get("ts")
        return str(ts) if ts else None

    def find_delivered(self, alert: Alert, since: float) -> str | None:
        """Look in the channel's recent history for a message carrying this alert's id."""
        response = self.client.conversations_history(
            channel=self.channel,
            oldest=f"{since - HISTORY_SLACK_S:.6f}",
            include_all_metadata=True,
            limit=200,
        )
        for message in response.get("messages") or []:
            meta = message.get("metadata") or {}
            payload = meta.get("event_payload") or {}
            ours = meta.get("event_type") == METADATA_EVENT
            if ours and payload.get("alert_id") == alert.alert_id:
                return str(message.get("ts"))
        return None
