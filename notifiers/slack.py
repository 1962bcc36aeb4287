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

    def send(self, alert: Alert) -> None:
        self.client.chat_postMessage(
            channel=self.channel,
            text=fallback_text(alert),
            blocks=blocks(alert),
            unfurl_links=False,
            unfurl_media=False,
        )
