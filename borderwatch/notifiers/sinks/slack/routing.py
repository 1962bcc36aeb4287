"""Which Slack channel an alert goes to, and how fast a channel may be written to.

Routes are settings (``BORDERWATCH_SLACK_ROUTES``, a JSON list): the first route whose
category, minimum severity, countries and minimum confidence all match decides the channel;
otherwise the default channel (so ``min_confidence`` keeps a desk's channel for sure alerts,
and the rest fall through to a later route or the default). Slack allows about one message
per second per channel, so every call waits its turn per channel instead of collecting 429s.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from borderwatch.core.models import Alert
from borderwatch.core.settings import SlackRoute


class Router:
    def __init__(self, default: str, routes: list[SlackRoute] | None = None) -> None:
        self.default = default
        self.routes = list(routes or [])

    def __call__(self, alert: Alert) -> str:
        """A digest-only route never takes a live alert: its channel gets digests alone."""
        live = (r for r in self.routes if not r.digest_only and r.matches(alert))
        return next((r.channel for r in live), self.default)


class ChannelRateLimiter:
    """At most ``per_second`` calls per channel; waits (never drops) when a channel is busy."""

    def __init__(
        self,
        per_second: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = 1.0 / per_second
        self._clock, self._sleep = clock, sleep
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, channel: str) -> float:
        """Block until this channel may be written to; returns the time waited."""
        with self._lock:
            now = self._clock()
            start = max(now, self._next.get(channel, now))
            self._next[channel] = start + self.interval
        delay = start - now
        if delay > 0:
            self._sleep(delay)
        return delay
