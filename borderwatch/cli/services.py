"""The commands that move data: the broker, a replay, the live job and its separate services.

``run`` is the whole system in one process tree; ``topics``, ``worker``, ``notify`` and
``poll`` are the same parts started one by one on a configured cluster (compose, k8s).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from borderwatch.cli.app import app, cluster_service, current_settings, err, out, service, skipped
from borderwatch.cli.render import replay_progress, summary_table
from borderwatch.core import metrics
from borderwatch.core.errors import BorderwatchError, Codes, Problem

if TYPE_CHECKING:
    from borderwatch.core.settings import Settings
    from borderwatch.notifiers.base import Notifier


@contextmanager
def slack_extras(settings: Settings, notifiers: list[Notifier]) -> Iterator[None]:
    """Beside live delivery: the Slack click endpoint / Socket Mode and the digest schedule,
    each only when configured, sharing the delivery's notifiers."""
    from borderwatch.runtime.digests import digests_scheduled
    from borderwatch.runtime.interact import clicks_served

    with clicks_served(settings, notifiers) as clicks, digests_scheduled(settings, notifiers):
        for way in clicks.ways if clicks is not None else []:
            err.print(f"answering Slack clicks: {way}", markup=False, highlight=False)
        yield


@app.command()
def broker(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0 picks a free one).")] = 9092,
) -> None:
    """Run the embedded Kafka-protocol broker (Tansu) on loopback until Ctrl-C."""
    from borderwatch.core.kafka import ensure_topics
    from borderwatch.runtime.broker import EmbeddedBroker

    settings = current_settings()
    try:
        with EmbeddedBroker(port=port) as b:
            ensure_topics(settings.model_copy(update={"kafka_bootstrap": b.bootstrap}))
            out.print(f"embedded broker ready: BORDERWATCH_KAFKA_BOOTSTRAP={b.bootstrap}")
            out.print("memory only: everything is lost when it stops. Ctrl-C to stop.")
            while b.proc is not None and b.proc.poll() is None:
                time.sleep(0.5)
    except KeyboardInterrupt:
        pass


@app.command()
def replay(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="JSONL[.gz] archives, text dirs, RSS/Atom.")
    ] = None,
    to_slack: Annotated[bool, typer.Option("--to-slack", help="Also post to Slack.")] = False,
    jsonl: Annotated[Path | None, typer.Option(help="Also write alerts to this file.")] = None,
    timeout: Annotated[float, typer.Option(help="Give up after this many seconds.")] = 1800.0,
    since: Annotated[
        str | None, typer.Option(help="Only articles published at or after (ISO 8601).")
    ] = None,
    until: Annotated[str | None, typer.Option(help="Only articles published before.")] = None,
    speed: Annotated[
        str, typer.Option(help="'max', or a factor of real time (60 = one minute per second).")
    ] = "max",
    report: Annotated[
        Path | None, typer.Option("--report", help="Write a self-contained HTML report here.")
    ] = None,
    from_topic: Annotated[
        str | None,
        typer.Option("--from-topic", help="Replay a topic of the configured cluster ('articles')."),
    ] = None,
) -> None:
    """Send archived articles through the pipeline, print the alerts, exit when all are done.

    Dry-run by default: alerts go to the console (and --jsonl), never to Slack unless asked.
    Each replay runs on its own topics and consumer groups, apart from live traffic.
    """
    from borderwatch.connectors.base import Source
    from borderwatch.connectors.schedule import Pacer, TimeFilter, parse_speed, parse_when
    from borderwatch.runtime.replay import replay as replay_archives
    from borderwatch.runtime.wiring import build_notifiers

    time_filter = TimeFilter(
        since=parse_when(since) if since else None,
        until=parse_when(until) if until else None,
    )
    pacer = Pacer(speed=parse_speed(speed))
    settings = current_settings(jsonl_path=jsonl)
    paths = paths or []
    sources: list[Source] = []
    if from_topic:
        if not settings.kafka_bootstrap:
            raise BorderwatchError(Problem.of(Codes.P003))
        from borderwatch.connectors.topic import TopicSource

        sources.append(TopicSource(settings, settings.topic(from_topic), time_filter))
    elif not paths:
        raise BorderwatchError(Problem.of(Codes.P004))
    notifiers = build_notifiers(settings, slack=to_slack, console=True)
    with replay_progress(paths) as progress:
        summary = replay_archives(
            settings, paths, notifiers=notifiers, on_problem=skipped, timeout_s=timeout,
            time_filter=time_filter, pacer=pacer, progress=progress, sources=sources,
        )  # fmt: skip
    out.print(summary_table(summary))
    if report is not None:
        from borderwatch.cli.report import html_report

        notes = {
            "sources": ", ".join(
                [*map(str, paths), *([f"topic {from_topic}"] if from_topic else [])]
            ),
            "articles": summary.articles,
            "since": since or "-",
            "until": until or "-",
            "seconds": f"{summary.seconds:.1f}",
        }
        report.write_text(html_report("Borderwatch replay", summary.alert_list, None, notes))
        out.print(f"report: {report}")


@app.command()
def run(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Archives to send first (optional).")
    ] = None,
) -> None:
    """The live job: poll the configured feeds and deliver alerts until Ctrl-C or SIGTERM."""
    from borderwatch.runtime.live import run_live
    from borderwatch.runtime.wiring import build_notifiers

    with service() as stop:
        settings = current_settings()
        metrics.serve(settings.metrics_host, settings.metrics_port)
        if not settings.feeds and not paths:
            err.print("no feeds configured (BORDERWATCH_FEEDS) and no archive given; idle")
        notifiers = build_notifiers(settings, slack=True, console=settings.console)
        with slack_extras(settings, notifiers):  # clicks and digests, when configured
            summary = run_live(
                settings, paths or [], notifiers=notifiers, on_problem=skipped, stop=stop
            )
        out.print(summary_table(summary))


@app.command()
def topics() -> None:
    """Create the topics with their partition counts on the configured cluster (idempotent)."""
    from borderwatch.core.kafka import ensure_topics

    for name, parts in ensure_topics(current_settings()).items():
        out.print(f"{name}: {parts} partitions")


@app.command()
def worker() -> None:
    """Run one stream worker (faust) in the foreground; start N of them to share partitions."""
    from borderwatch.core.kafka import wait_for_broker
    from borderwatch.runtime.cluster import worker_env

    settings = current_settings()
    if not settings.kafka_bootstrap:
        raise BorderwatchError(Problem.of(Codes.K003))
    wait_for_broker(settings, settings.connect_timeout_s)
    env = worker_env(settings)
    os.execve(sys.executable, [sys.executable, "-m", "borderwatch.streams.worker"], env)


@app.command()
def notify() -> None:
    """Deliver alerts from the configured cluster to the console, JSONL file and Slack."""
    from borderwatch.notifiers.dispatch import consume_alerts
    from borderwatch.runtime.wiring import build_notifiers, live_dispatcher

    with service() as stop:
        settings = cluster_service(stop)
        if settings is None:
            return
        notifiers = build_notifiers(settings, slack=True, console=settings.console)
        dispatcher = live_dispatcher(settings, notifiers)
        with slack_extras(settings, notifiers):  # clicks and digests, when configured
            consume_alerts(settings, dispatcher, f"{settings.app_id}-notifier", stop=stop.is_set)


@app.command()
def poll() -> None:
    """Poll the configured feeds and produce their articles to the configured cluster."""
    from borderwatch.connectors import ArticleWriter, pump
    from borderwatch.connectors.archive import ArticleArchive
    from borderwatch.connectors.poller import keep_polling
    from borderwatch.runtime.wiring import build_poller

    with service() as stop:
        settings = cluster_service(stop)
        if settings is None:
            return
        poller = build_poller(settings)
        writer = ArticleWriter(settings, archive=ArticleArchive(settings.archive_dir))
        try:  # a failing poll loop is reported and restarted, never a silent end
            keep_polling(lambda: pump(poller.items(stop.is_set), writer, skipped), stop.is_set,
                         skipped)  # fmt: skip
        finally:
            writer.close()
