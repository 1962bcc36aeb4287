"""The long-running job behind ``borderwatch run``: feeds in, alerts out, under a supervisor.

Everything here runs until it is told to stop; a worker or broker that dies is restarted
by the supervisor, and only a failure it gives up on ends the job.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from borderwatch.connectors.archive import ArticleArchive
from borderwatch.connectors.files import Archive
from borderwatch.connectors.poller import keep_polling
from borderwatch.connectors.producer import ArticleWriter
from borderwatch.connectors.pump import PumpCounts, pump
from borderwatch.core.errors import BorderwatchError, Codes, Problem
from borderwatch.core.settings import Settings
from borderwatch.notifiers.base import Notifier
from borderwatch.notifiers.dispatch import consume_alerts
from borderwatch.runtime.cluster import (
    cluster_and_broker,
    spawn_worker,
    stop_worker,
    worker_failure,
)
from borderwatch.runtime.supervise import Supervisor
from borderwatch.runtime.wiring import RunSummary, build_poller, live_dispatcher
from borderwatch.streams import checked_detector


def run_live(
    settings: Settings,
    paths: list[Path],
    *,
    notifiers: list[Notifier],
    on_problem: Callable[[Problem], None],
    stop: threading.Event,
) -> RunSummary:
    """The long-running job: feeds (and optional archives) in, alerts out, until ``stop``."""
    checked_detector(settings)  # fail before starting: every rule problem, located
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

        counts = PumpCounts()  # archives and feeds in one tally

        def report(problem: Problem) -> None:
            summary.problems.append(problem)
            on_problem(problem)

        try:
            if paths:
                pump(Archive(paths), writer, report, counts=counts)
            writer.producer.flush()
            poller = build_poller(cluster)
            # keep_polling restarts the poll loop after any failure, visibly; if the thread
            # ends all the same, the job ends with an error rather than run without feeds.
            feeds = threading.Thread(
                target=keep_polling,
                args=(lambda: pump(poller.items(stop.is_set), writer, report, counts=counts),
                      stop.is_set, report),
                name="feeds", daemon=True,
            )  # fmt: skip
            if poller.specs:
                feeds.start()

            def feeds_dead() -> bool:
                return bool(poller.specs) and not feeds.is_alive() and not stop.is_set()

            dispatcher = live_dispatcher(cluster, notifiers)
            consume_alerts(
                cluster,
                dispatcher,
                group_id=f"{cluster.app_id}-notifier",
                stop=lambda: stop.is_set() or supervisor.failure is not None or feeds_dead(),
                generation=lambda: supervisor.generation,
            )
            if supervisor.failure is not None:
                raise supervisor.failure
            if feeds_dead():
                raise BorderwatchError(Problem.of(Codes.W004))
            summary.alerts = dispatcher.by_category
        finally:
            summary.articles = counts.sent
            writer.close()
    for notifier in notifiers:
        notifier.close()
    return summary
