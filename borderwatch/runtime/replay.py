"""A replay: archived articles through the real pipeline, isolated from live traffic.

It waits for the end markers rather than for silence, so "every article is processed"
is a fact the worker reports, not a guess from a quiet topic.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

from borderwatch.connectors.base import Source
from borderwatch.connectors.files import Archive
from borderwatch.connectors.producer import ArticleWriter
from borderwatch.connectors.pump import PumpCounts, pump
from borderwatch.connectors.schedule import Pacer, TimeFilter
from borderwatch.core.errors import BorderwatchError, Codes, Problem
from borderwatch.core.kafka import drop_topics
from borderwatch.core.models import Alert
from borderwatch.core.settings import Settings
from borderwatch.notifiers.base import Notifier
from borderwatch.notifiers.dispatch import Dispatcher, EndTracker, consume_alerts
from borderwatch.runtime.cluster import kafka_cluster, stream_worker, worker_failure
from borderwatch.runtime.replay_ledger import replay_ledger
from borderwatch.runtime.wiring import RunSummary
from borderwatch.streams import checked_detector


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
    checked_detector(settings)  # fail before starting: every rule problem, located
    summary = RunSummary()
    started = time.monotonic()
    run_id = uuid.uuid4().hex[:12]
    settings = isolated_for_replay(settings, run_id)
    time_filter = time_filter or TimeFilter()
    pacer = pacer or Pacer(speed=None)
    with kafka_cluster(settings) as cluster, stream_worker(cluster) as worker:
        writer = ArticleWriter(cluster, run_id=run_id)
        counts = PumpCounts()

        def report(problem: Problem) -> None:
            summary.problems.append(problem)
            on_problem(problem)

        def sent(n: int) -> None:
            progress("sent", n)

        try:
            # Archives are filtered here; a topic source selects by its records' own time,
            # counting its skips into the same filter (the CLI gives it ``time_filter``).
            if paths:
                pump(Archive(paths), writer, report, time_filter=time_filter, pacer=pacer,
                     counts=counts, on_sent=sent)  # fmt: skip
            for source in sources:
                pump(source, writer, report, pacer=pacer, counts=counts, on_sent=sent)
            summary.articles = counts.sent
            summary.skipped_outside = time_filter.outside
            summary.skipped_undated = time_filter.undated
            writer.finish()
        finally:
            writer.close()
        if writer.failures:
            raise BorderwatchError(Problem.of(Codes.K007, count=len(writer.failures)))

        def count(alert: Alert) -> None:
            summary.by_rule[alert.rule_id] += 1
            summary.alert_list.append(alert)
            progress("alerts", sum(summary.by_rule.values()))

        dispatcher = Dispatcher(
            notifiers,
            # the live ledger for Slack and webhooks: what they have is never sent again
            ledger=replay_ledger(settings, notifiers),
            end=EndTracker(run_id, cluster.articles_partitions, cluster.alerts_partitions),
            on_alert=count,
        )
        deadline = time.monotonic() + timeout_s
        consume_alerts(
            cluster,
            dispatcher,
            group_id=f"{cluster.app_id}-replay-{run_id}",
            stop=lambda: worker.poll() is not None or time.monotonic() > deadline,
            retry=False,  # failures are counted in the summary, not retried
        )
        if worker.poll() is not None:
            raise worker_failure(worker, cluster)
        if dispatcher.end is not None and not dispatcher.end.done:
            raise BorderwatchError(Problem.of(Codes.W002, timeout_s=timeout_s))
    if settings.kafka_bootstrap:  # a real cluster keeps topics: remove this replay's own
        drop_topics(settings)
    summary.alerts = dispatcher.by_category
    summary.failures = dispatcher.failures
    summary.already = dispatcher.already
    dispatcher.ledger.close()
    summary.seconds = time.monotonic() - started
    for notifier in notifiers:
        notifier.close()
    return summary
