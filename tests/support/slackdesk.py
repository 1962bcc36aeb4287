"""A notifier process with Slack's buttons answered, as ``run`` wires it, for tests that
drive it like Slack (with the fake Slack's signed clicks)."""

from __future__ import annotations

import json
import queue
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from borderwatch.core.models import Alert
from borderwatch.core.settings import Settings
from borderwatch.notifiers.base import Notifier
from borderwatch.notifiers.dispatch import Dispatcher
from borderwatch.notifiers.feedback import FeedbackStore
from borderwatch.notifiers.ledger import Ledger
from borderwatch.notifiers.sinks.slack.notifier import SlackNotifier
from borderwatch.runtime.broker import free_port
from borderwatch.runtime.interact import ClickQueue, clicks_served
from borderwatch.runtime.wiring import build_notifiers, silence_store, story_of
from tests.support.fakeslack import FakeSlack

LEAD = "U0LEAD"  # may silence (named in the settings)
DESK = "U0DESK"  # may silence (member of the named user group S0DESK)
OPS = "U0OPS1"  # may not silence


def settings_for(fake: FakeSlack, tmp_path: Path, **extra: object) -> Settings:
    values: dict[str, object] = dict(
        data_dir=tmp_path, slack_token="xoxb-interact", slack_channel="#ops",
        slack_base_url=fake.base_url, slack_rate_per_channel=50,
        slack_signing_secret=fake.signing_secret, interact_port=free_port(),
        slack_silencers=[LEAD, "S0DESK"], jsonl_path=tmp_path / "alerts.jsonl",
    )  # fmt: skip
    values.update(extra)
    return Settings(**values)  # type: ignore[arg-type]


class Desk:
    """One notifier process: its notifiers, its delivery and its stores, as ``run`` has them."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.notifiers: list[Notifier] = build_notifiers(settings, slack=True, console=False)
        self.slack = next(n for n in self.notifiers if isinstance(n, SlackNotifier))
        self.silences = silence_store(settings)
        self.ledger = Ledger.memory()
        self.dispatcher = Dispatcher(self.notifiers, ledger=self.ledger, silences=self.silences,
                                     story_of=story_of(self.notifiers))  # fmt: skip

    @property
    def feedback(self) -> FeedbackStore:
        assert self.slack.feedback is not None
        return self.slack.feedback

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.settings.interact_port}/slack/actions"

    def deliver(self, alert: Alert) -> None:
        self.dispatcher.handle(alert.to_bytes(), 0)

    def close(self) -> None:
        for notifier in self.notifiers:
            notifier.close()


@contextmanager
def desk(fake: FakeSlack, tmp_path: Path, **extra: object) -> Iterator[tuple[Desk, ClickQueue]]:
    d = Desk(settings_for(fake, tmp_path, **extra))
    with clicks_served(d.settings, d.notifiers) as clicks:
        assert clicks is not None
        yield d, clicks
    d.close()


def parent(fake: FakeSlack, n: int = 0) -> tuple[str, str]:
    """The channel ID and ts of the n-th parent posted (0: the first)."""
    post = [p for p in fake.posts() if not p.body.get("thread_ts")][n]
    assert post.channel_id and post.ts
    return post.channel_id, post.ts


def outcome(clicks: ClickQueue) -> str:
    return clicks.outcomes.get(timeout=15)


def nothing_happened(clicks: ClickQueue) -> bool:
    """No click reached the worker: the endpoint refused it before queueing anything."""
    try:
        clicks.outcomes.get(timeout=0.5)
    except queue.Empty:
        return True
    return False


def shown(fake: FakeSlack, channel: str, ts: str) -> str:
    return json.dumps(fake.message_blocks(channel, ts), ensure_ascii=False)
