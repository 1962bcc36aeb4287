"""Building the stages' parts from settings: the poller, the notifiers, live delivery.

This is the composition root; the stages themselves never import each other, so the one
place that knows which connector feeds which notifier is here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from borderwatch.connectors.feedstate import FeedState
from borderwatch.connectors.http import FetchPolicy
from borderwatch.connectors.poller import FeedSpec, Poller, load_feeds
from borderwatch.core.errors import Problem
from borderwatch.core.models import Alert
from borderwatch.core.settings import Settings
from borderwatch.notifiers.base import Notifier
from borderwatch.notifiers.dispatch import Breaker, Dispatcher
from borderwatch.notifiers.dlq import AlertDlq
from borderwatch.notifiers.feedback import FeedbackStore
from borderwatch.notifiers.ledger import Ledger
from borderwatch.notifiers.silences import SilenceStore
from borderwatch.notifiers.sinks.console import ConsoleNotifier
from borderwatch.notifiers.sinks.jsonl import JsonlNotifier
from borderwatch.notifiers.sinks.slack.notifier import SlackNotifier, ThreadPolicy
from borderwatch.notifiers.sinks.slack.routing import ChannelRateLimiter, Router
from borderwatch.notifiers.sinks.slack.stories import StoryBook
from borderwatch.notifiers.sinks.webhook import WebhookNotifier


def feed_specs(settings: Settings) -> list[FeedSpec]:
    """Feeds from the feeds file and the ``feeds`` URL list (the file wins on duplicates)."""
    specs = {s.url: s for s in (FeedSpec(url=u) for u in settings.feeds)}
    if settings.feeds_file is not None:
        specs.update({s.url: s for s in load_feeds(settings.feeds_file)})
    return list(specs.values())


def feed_state(settings: Settings) -> FeedState:
    """The poller's memory, shared with ``feeds status`` which reads it."""
    return FeedState(settings.state_path("feeds.sqlite3"))


def build_poller(settings: Settings) -> Poller:
    return Poller(
        feed_specs(settings),
        feed_state(settings),
        FetchPolicy(
            connect_timeout_s=min(10.0, settings.feed_timeout_s),
            read_timeout_s=settings.feed_timeout_s,
            max_bytes=settings.feed_max_bytes,
            allow=tuple(settings.feeds_allow),
        ),
        default_interval_s=settings.poll_interval_s,
        per_host=settings.feed_per_host,
        backoff_cap_s=settings.feed_backoff_cap_s,
        full_text=settings.feed_full_text,
    )


def silence_store(settings: Settings) -> SilenceStore:
    """The silences live delivery obeys, shared with ``silence add|list|expire``."""
    return SilenceStore(settings.state_path("silences.sqlite3"))


def feedback_store(settings: Settings) -> FeedbackStore:
    """Clicks on the Slack parents, shared by the notifier (who did what), the click
    handler and ``feedback list|export``."""
    return FeedbackStore(settings.state_path("feedback.sqlite3"))


def story_book(settings: Settings) -> StoryBook:
    return StoryBook(settings.state_path("stories.sqlite3"), settings.story_window_s)


def interactive(settings: Settings) -> bool:
    """Are clicks answered (so parents may carry buttons)? The HTTP endpoint needs both its
    secret and a port; Socket Mode its app token."""
    http = settings.slack_signing_secret is not None and settings.interact_port > 0
    return http or settings.slack_app_token is not None


def build_notifiers(settings: Settings, *, slack: bool, console: bool) -> list[Notifier]:
    notifiers: list[Notifier] = []
    if console:
        notifiers.append(ConsoleNotifier())
    if settings.jsonl_path is not None:
        notifiers.append(JsonlNotifier(settings.jsonl_path))
    if settings.webhook_url:
        notifiers.append(WebhookNotifier(settings.webhook_url, settings.webhook_secret))
    if slack and settings.slack_token and settings.slack_channel:
        stories = story_book(settings)
        policy = ThreadPolicy(
            reply_gap_s=settings.slack_reply_gap_s,
            escalate_sources=settings.escalate_sources,
            escalate_window_s=settings.escalate_window_s,
        )
        notifiers.append(
            SlackNotifier(
                settings.slack_token,
                settings.slack_channel,
                settings.slack_base_url,
                stories=stories,
                policy=policy,
                router=Router(settings.slack_channel, settings.slack_routes),
                limiter=ChannelRateLimiter(settings.slack_rate_per_channel),
                feedback=feedback_store(settings),
                buttons=interactive(settings),
            )
        )
    return notifiers


def live_dispatcher(settings: Settings, notifiers: list[Notifier]) -> Dispatcher:
    """Live delivery (``run`` and ``notify``): the ledger on disk, silences, the alerts DLQ
    and the per-sink breaker. A replay shares only the ledger, for its paging sinks
    (``runtime.replay_ledger``), and has none of the rest."""
    return Dispatcher(
        notifiers,
        ledger=Ledger(settings.state_path("ledger.sqlite3")),
        silences=silence_store(settings),
        breaker=Breaker(settings.sink_breaker_s),
        on_failure=AlertDlq(settings),
        story_of=story_of(notifiers),
    )


def story_of(notifiers: list[Notifier]) -> Callable[[Alert], str | None]:
    """The open story an alert would join, from the Slack notifier's story book (a silence
    set on a story from Slack matches by it); no Slack, no stories."""
    book = next((n.stories for n in notifiers if isinstance(n, SlackNotifier) and n.stories),
                None)  # fmt: skip

    def find(alert: Alert) -> str | None:
        story = book.find(alert) if book is not None else None
        return story.story_id if story is not None else None

    return find


@dataclass
class RunSummary:
    articles: int = 0
    problems: list[Problem] = field(default_factory=list)
    alerts: Counter[str] = field(default_factory=Counter)
    by_rule: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    already: Counter[str] = field(default_factory=Counter)  # per sink: delivered before
    seconds: float = 0.0
    skipped_outside: int = 0
    skipped_undated: int = 0
    alert_list: list[Alert] = field(default_factory=list)
