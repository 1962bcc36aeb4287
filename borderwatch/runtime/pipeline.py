"""Wiring the stages together for the CLI: broker, topics, worker, connectors, notifiers.

This is the composition root; the stages themselves never import each other.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from borderwatch.connectors.archive import ArticleArchive
from borderwatch.connectors.base import Item, Source
from borderwatch.connectors.feedstate import FeedState
from borderwatch.connectors.files import Archive
from borderwatch.connectors.http import FetchPolicy
from borderwatch.connectors.poller import FeedSpec, Poller, load_feeds
from borderwatch.connectors.producer import ArticleWriter
from borderwatch.connectors.schedule import Pacer, TimeFilter
from borderwatch.core.errors import BorderwatchError, Problem
from borderwatch.core.kafka import drop_topics, ensure_topics
from borderwatch.core.models import Alert, Article
from borderwatch.core.settings import Settings
from borderwatch.notifiers.base import Notifier
from borderwatch.notifiers.dispatch import Dispatcher, EndTracker, consume_alerts
from borderwatch.notifiers.dlq import AlertDlq
from borderwatch.notifiers.ledger import Ledger
from borderwatch.notifiers.silences import SilenceStore
from borderwatch.notifiers.sinks.console import ConsoleNotifier
from borderwatch.notifiers.sinks.jsonl import JsonlNotifier
from borderwatch.notifiers.sinks.slack.notifier import SlackNotifier, ThreadPolicy
from borderwatch.notifiers.sinks.slack.routing import ChannelRateLimiter, Router
from borderwatch.notifiers.sinks.slack.stories import StoryBook
from borderwatch.notifiers.sinks.webhook import WebhookNotifier
from borderwatch.runtime import procs
from borderwatch.runtime.broker import EmbeddedBroker
from borderwatch.runtime.supervise import Supervisor
from borderwatch.streams.examples import build_checked
from borderwatch.streams.reading.nlp import load_nlp

log = logging.getLogger(__name__)


@contextmanager
def kafka_cluster(settings: Settings) -> Iterator[Settings]:
    """The configured cluster, or an embedded broker that lives as long as this block."""
    with cluster_and_broker(settings) as (cluster, _):
        yield cluster


@contextmanager
def cluster_and_broker(settings: Settings) -> Iterator[tuple[Settings, EmbeddedBroker | None]]:
    """As ``kafka_cluster``, with the embedded broker (None for a configured cluster) for a
    supervisor to restart."""
    if settings.kafka_bootstrap:
        ensure_topics(settings)
        yield settings, None
        return
    log_path = settings.data_dir / "logs" / "broker.log"
    with EmbeddedBroker(port=settings.embedded_port, log_path=log_path) as broker:
        embedded = settings.model_copy(
            update={"kafka_bootstrap": broker.bootstrap, "kafka_idempotence": False}
        )
        ensure_topics(embedded)
        yield embedded, broker


def worker_log(settings: Settings) -> Path:
    return settings.data_dir / "logs" / f"worker-{os.getpid()}.log"


def worker_env(settings: Settings) -> dict[str, str]:
    """The worker talks to Kafka, so it gets the Kafka password and no other secret."""
    return {**settings.inherited_env(), **settings.child_env(secrets=("kafka_sasl_password",))}


def spawn_worker(settings: Settings) -> subprocess.Popen[bytes]:
    env = worker_env(settings)
    return procs.spawn([sys.executable, "-m", "borderwatch.streams.worker"], env=env,
                       log_path=worker_log(settings))  # fmt: skip


def stop_worker(proc: subprocess.Popen[bytes], settings: Settings) -> None:
    """SIGTERM: the worker finishes its batch and commits before it exits."""
    procs.stop(proc, "stream worker", timeout=20)
    if proc.returncode not in (0, -15, None):
        log.warning("stream worker exited with %s; log: %s", proc.returncode, worker_log(settings))


@contextmanager
def stream_worker(settings: Settings) -> Iterator[subprocess.Popen[bytes]]:
    """A faust worker in a child process; stopped (drained, committed) when the block ends."""
    proc = spawn_worker(settings)
    try:
        yield proc
    finally:
        stop_worker(proc, settings)


def worker_failure(proc: subprocess.Popen[bytes], settings: Settings) -> BorderwatchError:
    log_path = worker_log(settings)
    return BorderwatchError(
        Problem(
            "W001",
            f"stream worker exited with code {proc.returncode}; last lines of {log_path}:\n"
            + procs.tail(log_path, 20),
        )
    )


def ledger_path(settings: Settings) -> Path:
    """The delivery ledger of a live deployment (replays do not write to it)."""
    return settings.data_dir / "state" / "ledger.sqlite3"


def feed_specs(settings: Settings) -> list[FeedSpec]:
    """Feeds from the feeds file and the ``feeds`` URL list (the file wins on duplicates)."""
    specs = {s.url: s for s in (FeedSpec(url=u) for u in settings.feeds)}
    if settings.feeds_file is not None:
        specs.update({s.url: s for s in load_feeds(settings.feeds_file)})
    return list(specs.values())


def build_poller(settings: Settings) -> Poller:
    return Poller(
        feed_specs(settings),
        FeedState(settings.data_dir / "state" / "feeds.sqlite3"),
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


def silences_path(settings: Settings) -> Path:
    return settings.data_dir / "state" / "silences.sqlite3"


def build_notifiers(settings: Settings, *, slack: bool, console: bool) -> list[Notifier]:
    notifiers: list[Notifier] = []
    if console:
        notifiers.append(ConsoleNotifier())
    if settings.jsonl_path is not None:
        notifiers.append(JsonlNotifier(settings.jsonl_path))
    if settings.webhook_url:
        notifiers.append(WebhookNotifier(settings.webhook_url, settings.webhook_secret))
    if slack and settings.slack_token and settings.slack_channel:
        stories = StoryBook(
            settings.data_dir / "state" / "stories.sqlite3", window_s=settings.story_window_s
        )
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
            )
        )
    return notifiers


def live_dispatcher(settings: Settings, notifiers: list[Notifier]) -> Dispatcher:
    """Live delivery (``run`` and ``notify``): the ledger, silences, the alerts DLQ and the
    per-sink breaker; replays use none of these."""
    return Dispatcher(
        notifiers,
        ledger=Ledger(ledger_path(settings)),
        silences=SilenceStore(silences_path(settings)),
        on_failure=AlertDlq(settings),
        breaker_s=settings.sink_breaker_s,
    )


@dataclass
class RunSummary:
    articles: int = 0
    problems: list[Problem] = field(default_factory=list)
    alerts: Counter[str] = field(default_factory=Counter)
    by_rule: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    skipped_outside: int = 0
    skipped_undated: int = 0
    alert_list: list[Alert] = field(default_factory=list)


def check_rules(settings: Settings) -> None:
    """Fail before starting anything: a bad rule file (or a failing example) names its file,
    line and problem."""
    build_checked(
        load_nlp(settings.spacy_model), [settings.rules_dir], settings.rules_dir,
        settings.max_text_chars,
    )  # fmt: skip


def isolated_for_replay(settings: Settings, run_id: str) -> Settings:
    """Own topics and groups for one replay, on the embedded broker or a real cluster."""
    return settings.model_copy(
        update={
            "topic_prefix": f"{settings.topic_prefix}replay-{run_id}.",
            "app_id": f"{settings.app_id}-replay-{run_id}",
        }
    )


def replay(
    settings: Settings,
    paths: list[Path],
    *,
    notifiers: list[Notifier],
    on_problem: Callable[[Problem], None] = lambda p: None,
    timeout_s: float = 1800.0,
    time_filter: TimeFilter | None = None,
    pacer: Pacer | None = None,
    progress: Callable[[str, int], None] = lambda stage, n: None,
    sources: Sequence[Source] = (),
) -> RunSummary:
    """Send archived articles through the real pipeline and wait until every one is processed.

    A replay is isolated from live traffic: its own topics (a prefix with the run id), its
    own worker and consumer groups, so nothing it sends reaches a live notifier."""
    check_rules(settings)
    summary = RunSummary()
    started = time.monotonic()
    run_id = uuid.uuid4().hex[:12]
    settings = isolated_for_replay(settings, run_id)
    time_filter = time_filter or TimeFilter()
    pacer = pacer or Pacer(speed=None)
    with kafka_cluster(settings) as cluster, stream_worker(cluster) as worker:
        writer = ArticleWriter(cluster, run_id=run_id)
        try:

            def articles() -> Iterator[Article]:
                # Archives are filtered here; a topic source selects by record time itself.
                from_archives = ((i, True) for i in (Archive(paths).read() if paths else ()))
                from_sources = ((i, False) for src in sources for i in src.read())
                for item, filtered in chain(from_archives, from_sources):
                    if isinstance(item, Problem):
                        summary.problems.append(item)
                        on_problem(item)
                    elif not filtered or time_filter.keep(item):
                        yield item

            for article in pacer.pace(articles()):
                writer.send(article)
                summary.articles += 1
                progress("sent", summary.articles)
            summary.skipped_outside = time_filter.outside
            summary.skipped_undated = time_filter.undated
            writer.finish()
        finally:
            writer.close()
        if writer.failures:
            raise BorderwatchError(
                Problem("K007", f"{len(writer.failures)} articles could not be produced")
            )

        def count(alert: Alert) -> None:
            summary.by_rule[alert.rule_id] += 1
            summary.alert_list.append(alert)
            progress("alerts", sum(summary.by_rule.values()))

        dispatcher = Dispatcher(
            notifiers,
            run_id=run_id,
            end=EndTracker(run_id, cluster.articles_partitions, cluster.alerts_partitions),
            on_alert=count,
        )
        deadline = time.monotonic() + timeout_s
        consume_alerts(
            cluster,
            dispatcher,
            group_id=f"{cluster.app_id}-replay-{run_id}",
            stop=lambda: worker.poll() is not None or time.monotonic() > deadline,
        )
        if worker.poll() is not None:
            raise worker_failure(worker, cluster)
        if dispatcher.end is not None and not dispatcher.end.done:
            raise BorderwatchError(
                Problem("W002", f"replay did not finish within {timeout_s:.0f}s")
            )
    if settings.kafka_bootstrap:  # a real cluster keeps topics: remove this replay's own
        drop_topics(settings)
    summary.alerts = dispatcher.by_category
    summary.failures = dispatcher.failures
    summary.seconds = time.monotonic() - started
    for notifier in notifiers:
        notifier.close()
    return summary


def run_live(
    settings: Settings,
    paths: list[Path],
    *,
    notifiers: list[Notifier],
    on_problem: Callable[[Problem], None],
    stop: threading.Event,
) -> RunSummary:
    """The long-running job: feeds (and optional archives) in, alerts out, until ``stop``."""
    check_rules(settings)
    summary = RunSummary()
    with (
        cluster_and_broker(settings) as (cluster, broker),
        Supervisor(
            cluster,
            spawn_worker=lambda: spawn_worker(cluster),
            stop_worker=lambda proc: stop_worker(proc, cluster),
            worker_failure=lambda proc: worker_failure(proc, cluster),
            broker=broker,
        ) as supervisor,
    ):
        writer = ArticleWriter(cluster, archive=ArticleArchive(cluster.archive_dir))

        def emit(item: Item) -> None:
            if isinstance(item, Article):
                writer.send(item)
                summary.articles += 1
            else:
                summary.problems.append(item)
                on_problem(item)

        try:
            for item in Archive(paths).read() if paths else ():
                emit(item)
            writer.producer.flush()
            poller = build_poller(cluster)
            feeds = threading.Thread(
                target=poller.run, args=(emit, stop.is_set), name="feeds", daemon=True
            )
            if poller.specs:
                feeds.start()
            dispatcher = live_dispatcher(cluster, notifiers)
            consume_alerts(
                cluster,
                dispatcher,
                group_id=f"{cluster.app_id}-notifier",
                stop=lambda: stop.is_set() or supervisor.failure is not None,
                generation=lambda: supervisor.generation,
            )
            if supervisor.failure is not None:
                raise supervisor.failure
            summary.alerts = dispatcher.by_category
        finally:
            writer.close()
    for notifier in notifiers:
        notifier.close()
    return summary
