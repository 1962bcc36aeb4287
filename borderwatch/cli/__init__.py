"""The ``borderwatch`` command line."""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.table import Table

from borderwatch.core import metrics
from borderwatch.core.errors import BorderwatchError, Problem
from borderwatch.core.models import Article
from borderwatch.core.settings import Settings, load_settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
rules_app = typer.Typer(no_args_is_help=True, help="Check and test rule files.")
app.add_typer(rules_app, name="rules")
feeds_app = typer.Typer(no_args_is_help=True, help="Feeds: import OPML, show their health.")
app.add_typer(feeds_app, name="feeds")
silence_app = typer.Typer(no_args_is_help=True, help="Mute known stories on Slack for a while.")
app.add_typer(silence_app, name="silence")

out = Console()
err = Console(stderr=True)

ConfigOpt = Annotated[
    Path | None, typer.Option("--config", "-c", help="YAML settings file (env vars override it).")
]


class _State:
    config: Path | None = None


@app.callback()
def _main(
    config: ConfigOpt = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
    log_json: Annotated[
        bool, typer.Option("--log-json", envvar="BORDERWATCH_LOG_JSON", help="JSON log lines.")
    ] = False,
) -> None:
    from borderwatch.core.logjson import json_handler

    handler = json_handler() if log_json else RichHandler(console=err, show_path=False)
    if log_json:  # the stream worker a command starts logs the same way
        os.environ["BORDERWATCH_LOG_JSON"] = "1"
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[handler],
    )
    _State.config = config


def _settings(**overrides: object) -> Settings:
    return load_settings(_State.config, **overrides)


def _report(problem: Problem) -> None:
    err.print(f"[yellow]skipped[/]: {problem}", markup=True, highlight=False, soft_wrap=True)


def _fail(exc: BorderwatchError) -> typer.Exit:
    for problem in exc.problems:
        err.print(str(problem), markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(code=1)


@contextmanager
def _service() -> Iterator[threading.Event]:
    """Long-running commands: SIGTERM sets the stop event, Ctrl-C ends them cleanly, and a
    user error exits 1 with its located problems."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    try:
        yield stop
    except KeyboardInterrupt:
        err.print("stopped")
    except BorderwatchError as exc:
        raise _fail(exc) from exc


@app.command()
def broker(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0 picks a free one).")] = 9092,
) -> None:
    """Run the embedded Kafka-protocol broker (Tansu) on loopback until Ctrl-C."""
    from borderwatch.core.kafka import ensure_topics
    from borderwatch.runtime.broker import EmbeddedBroker

    settings = _settings()
    try:
        with EmbeddedBroker(port=port) as b:
            ensure_topics(settings.model_copy(update={"kafka_bootstrap": b.bootstrap}))
            out.print(f"embedded broker ready: BORDERWATCH_KAFKA_BOOTSTRAP={b.bootstrap}")
            out.print("memory only: everything is lost when it stops. Ctrl-C to stop.")
            while b.proc is not None and b.proc.poll() is None:
                time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    except BorderwatchError as exc:
        raise _fail(exc) from exc


def _summary_table(summary: object) -> Table:
    from borderwatch.runtime.wiring import RunSummary

    assert isinstance(summary, RunSummary)
    table = Table(title="Summary", show_header=True)
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("articles sent", str(summary.articles))
    table.add_row("input skipped (bad lines/files)", str(len(summary.problems)))
    if summary.skipped_outside or summary.skipped_undated:
        table.add_row("outside --since/--until", str(summary.skipped_outside))
        table.add_row(
            "no published time (skipped by the time filter)", str(summary.skipped_undated)
        )
    for category, n in sorted(summary.alerts.items()):
        table.add_row(f"alerts: {category}", str(n))
    for rule_id, n in sorted(summary.by_rule.items()):
        table.add_row(f"  rule {rule_id}", str(n))
    table.add_row("alerts in all", str(sum(summary.alerts.values())))
    for name, n in summary.failures.items():
        table.add_row(f"delivery failures: {name}", str(n))
    if summary.seconds:
        table.add_row("seconds", f"{summary.seconds:.1f}")
    return table


@contextmanager
def _replay_progress(paths: list[Path]) -> Iterator[Callable[[str, int], None]]:
    """A rich progress bar on stderr: articles sent of the total, rate, ETA; alerts so far."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from borderwatch.connectors.files import Archive

    total = sum(1 for item in Archive(paths).read() if isinstance(item, Article)) or None
    columns = (
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TaskProgressColumn(), TextColumn("{task.fields[rate]}/s"), TimeElapsedColumn(),
        TextColumn("ETA"), TimeRemainingColumn(), TextColumn("alerts: {task.fields[alerts]}"),
    )  # fmt: skip
    with Progress(*columns, console=err, transient=False) as bar:
        task = bar.add_task("articles", total=total, rate="0.0", alerts=0)

        def update(stage: str, n: int) -> None:
            if stage == "sent":
                elapsed = bar.tasks[task].elapsed or 0.0
                rate = f"{n / elapsed:.1f}" if elapsed > 0 else "0.0"
                bar.update(task, completed=n, rate=rate)
            else:
                bar.update(task, alerts=n)

        yield update


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
    from borderwatch.connectors.schedule import Pacer, TimeFilter, parse_speed, parse_when
    from borderwatch.runtime.replay import replay as replay_archives
    from borderwatch.runtime.wiring import build_notifiers

    try:
        time_filter = TimeFilter(
            since=parse_when(since) if since else None,
            until=parse_when(until) if until else None,
        )
        pacer = Pacer(speed=parse_speed(speed))
        settings = _settings(jsonl_path=jsonl)
        paths = paths or []
        sources = []
        if from_topic:
            if not settings.kafka_bootstrap:
                raise BorderwatchError(
                    Problem("P003", "--from-topic needs BORDERWATCH_KAFKA_BOOTSTRAP (a cluster "
                            "that keeps the topic); the embedded broker starts empty")
                )  # fmt: skip
            from borderwatch.connectors.topic import TopicSource

            sources.append(
                TopicSource(settings, settings.topic(from_topic), time_filter.since,
                            time_filter.until)
            )  # fmt: skip
        elif not paths:
            raise BorderwatchError(Problem("P004", "give archive paths or --from-topic"))
        notifiers = build_notifiers(settings, slack=to_slack, console=True)
        with _replay_progress(paths) as progress:
            summary = replay_archives(
                settings, paths, notifiers=notifiers, on_problem=_report, timeout_s=timeout,
                time_filter=time_filter, pacer=pacer, progress=progress, sources=sources,
            )  # fmt: skip
    except BorderwatchError as exc:
        raise _fail(exc) from exc
    out.print(_summary_table(summary))
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

    with _service() as stop:
        settings = _settings()
        metrics.serve(settings.metrics_host, settings.metrics_port)
        if not settings.feeds and not paths:
            err.print("no feeds configured (BORDERWATCH_FEEDS) and no archive given; idle")
        notifiers = build_notifiers(settings, slack=True, console=settings.console)
        summary = run_live(
            settings, paths or [], notifiers=notifiers, on_problem=_report, stop=stop
        )
        out.print(_summary_table(summary))


@app.command("eval")
def evaluate(
    corpus: Annotated[Path, typer.Argument(help="JSONL with id, title, text, labels.")],
    json_out: Annotated[Path | None, typer.Option("--json", help="Write scores here.")] = None,
    rules: Annotated[Path | None, typer.Option("--rules", help="Rules directory.")] = None,
    compare: Annotated[
        Path | None,
        typer.Option("--compare", help="Another rules directory to score side by side."),
    ] = None,
    errors: Annotated[
        bool, typer.Option("--errors/--no-errors", help="List false positives and negatives.")
    ] = True,
    report: Annotated[
        Path | None, typer.Option("--report", help="Write a self-contained HTML report here.")
    ] = None,
) -> None:
    """Precision, recall and F1 per category, in-process, with the live detect code."""
    from borderwatch.streams.detect import Detector
    from borderwatch.streams.scoring.evaluate import evaluate as run_eval
    from borderwatch.streams.scoring.evaluate import read_corpus

    try:
        settings = _settings()
        detector = Detector.from_settings(settings, rules)
        other = Detector.from_settings(settings, compare) if compare else None
        items, problems = read_corpus(corpus)
        for problem in problems:
            _report(problem)
        result = run_eval(detector, items)
        other_result = run_eval(other, items) if other is not None else None
    except BorderwatchError as exc:
        raise _fail(exc) from exc
    except OSError as exc:
        raise _fail(
            BorderwatchError(Problem("I002", f"cannot read corpus: {exc}", corpus))
        ) from exc
    table = Table(title=f"{corpus} ({len(items)} items, rules {detector.rules.version})")
    for col in ("category", "precision", "recall", "f1", "tp", "fp", "fn", "tn"):
        table.add_column(col, justify="left" if col == "category" else "right")
    for category, score in result.per_category.items():
        d = score.as_dict()
        table.add_row(
            category, *(f"{d[k]:.3f}" for k in ("precision", "recall", "f1")),
            *(str(d[k]) for k in ("tp", "fp", "fn", "tn")),
        )  # fmt: skip
    out.print(table)
    if other is not None and other_result is not None:
        out.print(_comparison(result, other_result, detector, other))
    if errors and result.errors:
        listed = Table(title="false positives and false negatives")
        for col in ("id", "category", "kind", "rule", "evidence"):
            listed.add_column(col, overflow="fold")
        for e in result.errors:
            listed.add_row(
                e["id"], e["category"], e["kind"].upper(), e["rule"], e["evidence"][:300]
            )
        out.print(listed)
    _print_facts_score(result)
    if report is not None:
        from borderwatch.cli.report import html_report

        scores = {c: sc.as_dict() for c, sc in result.per_category.items()}
        notes = {"corpus": corpus, "items": len(items), "rules": detector.rules.version}
        report.write_text(html_report("Borderwatch eval", result.alerts, scores, notes))
        out.print(f"report: {report}")
    if json_out is not None:
        data = result.as_json()
        if other_result is not None:
            data["compare"] = other_result.as_json()
        json_out.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _comparison(a: Any, b: Any, da: Any, db: Any) -> Table:
    table = Table(title=f"rules {da.rules.version} (A) vs {db.rules.version} (B)")
    for col in ("category", "P A", "R A", "F1 A", "P B", "R B", "F1 B", "F1 B-A"):
        table.add_column(col, justify="left" if col == "category" else "right")
    for category in sorted(set(a.per_category) | set(b.per_category)):
        sa, sb = a.per_category.get(category), b.per_category.get(category)
        va = (sa.precision, sa.recall, sa.f1) if sa else (0.0, 0.0, 0.0)
        vb = (sb.precision, sb.recall, sb.f1) if sb else (0.0, 0.0, 0.0)
        table.add_row(category, *(f"{v:.3f}" for v in (*va, *vb)), f"{vb[2] - va[2]:+.3f}")
    return table


def _print_facts_score(result: Any) -> None:
    fscore = result.facts_score
    if fscore is None:
        return
    facts = Table(title=f"facts on {fscore.items} positive items with annotated facts")
    for col in ("fact", "right", "of", "share"):
        facts.add_column(col, justify="left" if col == "fact" else "right")
    for name, right, total in (
        ("countries", fscore.countries_right, fscore.items),
        ("crossing", fscore.crossing_right, fscore.items),
        ("casualty counts", fscore.casualties_right, fscore.casualty_items),
    ):
        share = f"{right / total:.3f}" if total else "-"
        facts.add_row(name, str(right), str(total), share)
    out.print(facts)


RulePaths = Annotated[
    list[Path] | None, typer.Argument(help="Rule files or directories (default: rules_dir).")
]


def _rules_dir(paths: list[Path], settings: Settings) -> Path:
    """The directory whose gazetteers go with these rule files."""
    if not paths:
        return settings.rules_dir
    first = paths[0]
    return first if first.is_dir() else first.parent


def _checked_detector(paths: list[Path] | None, settings: Settings, examples: bool) -> Any:
    """The rule set's detector, or exit 1 with every located problem."""
    from borderwatch.streams.detect import Detector
    from borderwatch.streams.examples import build_checked
    from borderwatch.streams.reading.nlp import load_nlp
    from borderwatch.streams.rules.load import load_rules

    given = paths or [settings.rules_dir]
    try:
        nlp = load_nlp(settings.spacy_model)
        if examples:
            return build_checked(nlp, given, _rules_dir(given, settings), settings.max_text_chars)
        return Detector.build(nlp, load_rules(given), _rules_dir(given, settings))
    except BorderwatchError as exc:
        raise _fail(exc) from exc


@rules_app.command("check")
def rules_check(paths: RulePaths = None) -> None:
    """Validate rules, lists and examples: every problem at once, as path:line:col: [Rnnn]."""
    detector = _checked_detector(paths, _settings(), examples=True)
    ruleset = detector.rules
    out.print(f"{len(ruleset.rules)} rules in {len(ruleset.files)} files: OK ({ruleset.version})")


@rules_app.command("test")
def rules_test(paths: RulePaths = None) -> None:
    """Run every rule's examples and print pass/fail per rule (exit 1 if any fails)."""
    from borderwatch.streams.examples import run_examples

    detector = _checked_detector(paths, _settings(), examples=False)
    results = run_examples(detector)
    table = Table(title=f"rule examples (rules {detector.rules.version})")
    for col in ("rule", "passed", "failed", ""):
        table.add_column(col, justify="right" if col in ("passed", "failed") else "left")
    failed_any = False
    for rule in detector.rules.rules:
        mine = [r for r in results if r.rule_id == rule.id]
        bad = [r for r in mine if not r.ok]
        failed_any |= bool(bad)
        status = "[red]FAIL[/]" if bad else "[green]pass[/]"
        table.add_row(rule.id, str(len(mine) - len(bad)), str(len(bad)), status)
    out.print(table)
    for res in results:
        if not res.ok:
            err.print(
                f"FAIL {res.rule_id} {res.kind}[{res.index}]: {res.detail}: {res.text!r}",
                markup=False, highlight=False, soft_wrap=True,
            )  # fmt: skip
    if failed_any:
        raise typer.Exit(code=1)


@rules_app.command("explain")
def rules_explain(
    rule_id: Annotated[str, typer.Argument(help="The rule to explain, e.g. BW-OPEN-001.")],
    text: Annotated[str | None, typer.Option("--text", "-t", help="Text to test.")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="Text file (first line: title).")
    ] = None,
    rules: Annotated[Path | None, typer.Option("--rules", help="Rules directory.")] = None,
) -> None:
    """Show each condition's result, what was dropped and why, and the evidence."""
    from borderwatch.streams.explain import render, trace

    if (text is None) == (file is None):
        raise typer.BadParameter("give exactly one of --text or --file")
    try:
        if file is not None:
            title, _, body = file.read_text(encoding="utf-8").partition("\n")
            article = Article(id="explain", title=title.strip(), text=body.strip() or title)
        else:
            article = Article(id="explain", text=text or "")
        detector = _checked_detector([rules] if rules else None, _settings(), examples=False)
        result, sents = trace(detector, rule_id, article)
    except OSError as exc:
        problem = Problem("R012", f"cannot read: {exc.strerror}", file)
        raise _fail(BorderwatchError(problem)) from exc
    except BorderwatchError as exc:
        raise _fail(exc) from exc
    for line in render(result, sents, detector.rules.version):
        out.print(line, markup=False, highlight=False, soft_wrap=True)


@rules_app.command("schema")
def rules_schema(
    out_path: Annotated[Path, typer.Option("--out", help="Where to write it.")] = Path(
        "rules/schema.json"
    ),
    check: Annotated[
        bool, typer.Option("--check", help="Only compare; exit 1 when the file is stale.")
    ] = False,
) -> None:
    """Write the JSON Schema of rule files (generated from the rule models) for editors."""
    from borderwatch.streams.rules.model import schema_text

    text = schema_text()
    current = out_path.read_text(encoding="utf-8") if out_path.is_file() else None
    if check:
        if current != text:
            err.print(f"{out_path} is stale: run `borderwatch rules schema`")
            raise typer.Exit(code=1)
        out.print(f"{out_path} is up to date")
        return
    out_path.write_text(text, encoding="utf-8")
    out.print(f"wrote {out_path}")


@app.command()
def topics() -> None:
    """Create the topics with their partition counts on the configured cluster (idempotent)."""
    from borderwatch.core.kafka import ensure_topics

    try:
        for name, parts in ensure_topics(_settings()).items():
            out.print(f"{name}: {parts} partitions")
    except BorderwatchError as exc:
        raise _fail(exc) from exc


@app.command()
def worker() -> None:
    """Run one stream worker (faust) in the foreground; start N of them to share partitions."""
    import sys

    from borderwatch.core.kafka import wait_for_broker
    from borderwatch.runtime.cluster import worker_env

    settings = _settings()
    if not settings.kafka_bootstrap:
        raise _fail(BorderwatchError(Problem("K003", "set BORDERWATCH_KAFKA_BOOTSTRAP first")))
    try:
        wait_for_broker(settings, settings.connect_timeout_s)
    except BorderwatchError as exc:
        raise _fail(exc) from exc
    env = worker_env(settings)
    os.execve(sys.executable, [sys.executable, "-m", "borderwatch.streams.worker"], env)


def _cluster_service(stop: threading.Event) -> Settings | None:
    """Start of a service on the configured cluster: metrics up, then wait for Kafka and the
    topics; None when stopped while waiting."""
    from borderwatch.core.kafka import wait_for_broker

    settings = _settings()
    metrics.serve(settings.metrics_host, settings.metrics_port)
    return settings if wait_for_broker(settings, settings.connect_timeout_s, stop) else None


@app.command()
def notify() -> None:
    """Deliver alerts from the configured cluster to the console, JSONL file and Slack."""
    from borderwatch.notifiers.dispatch import consume_alerts
    from borderwatch.runtime.wiring import build_notifiers, live_dispatcher

    with _service() as stop:
        settings = _cluster_service(stop)
        if settings is None:
            return
        notifiers = build_notifiers(settings, slack=True, console=settings.console)
        dispatcher = live_dispatcher(settings, notifiers)
        consume_alerts(settings, dispatcher, f"{settings.app_id}-notifier", stop=stop.is_set)


@app.command()
def poll() -> None:
    """Poll the configured feeds and produce their articles to the configured cluster."""
    from borderwatch.connectors.archive import ArticleArchive
    from borderwatch.connectors.base import Item
    from borderwatch.connectors.producer import ArticleWriter
    from borderwatch.runtime.wiring import build_poller

    with _service() as stop:
        settings = _cluster_service(stop)
        if settings is None:
            return
        poller = build_poller(settings)
        writer = ArticleWriter(settings, archive=ArticleArchive(settings.archive_dir))

        def emit(item: Item) -> None:
            if isinstance(item, Problem):
                _report(item)
            else:
                writer.send(item)

        try:
            poller.run(emit, stop.is_set)
        finally:
            writer.close()


def main() -> None:
    app()


def _silences() -> Any:
    from borderwatch.notifiers.silences import SilenceStore
    from borderwatch.runtime.wiring import silences_path

    return SilenceStore(silences_path(_settings()))


def _when(ts: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC")


@silence_app.command("add")
def silence_add(
    match: Annotated[
        str,
        typer.Option(
            "--match",
            help="key=value,... keys: category, country, crossing, rule, severity, source",
        ),
    ],
    duration: Annotated[str, typer.Option("--for", help="How long: 30m, 6h, 2d.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (shown in `silence list`).")],
) -> None:
    """Silence matching alerts on Slack and the webhook; they are still recorded."""
    from borderwatch.notifiers.silences import parse_duration, parse_matchers

    try:
        silence = _silences().add(parse_matchers(match), parse_duration(duration), reason)
    except BorderwatchError as exc:
        raise _fail(exc) from exc
    out.print(f"silence {silence.silence_id} until {_when(silence.ends_at)}")


@silence_app.command("list")
def silence_list(
    all_: Annotated[bool, typer.Option("--all", help="Include expired silences.")] = False,
) -> None:
    """Active silences (or all of them)."""
    import time as _time

    store = _silences()
    now = _time.time()
    table = Table(title="silences")
    for col in ("id", "matchers", "until", "reason", "state"):
        table.add_column(col, no_wrap=col in ("id", "matchers", "until"))
    for s in store.all() if all_ else store.active(now):
        matchers = ",".join(f"{k}={v}" for k, v in sorted(s.matchers.items()))
        state = "active" if s.active(now) else "expired"
        table.add_row(s.silence_id, matchers, _when(s.ends_at), s.reason, state)
    out.print(table)


@silence_app.command("expire")
def silence_expire(silence_id: Annotated[str, typer.Argument(help="The id `list` shows.")]) -> None:
    """End a silence now."""
    if not _silences().expire(silence_id):
        raise _fail(BorderwatchError(Problem("S007", f"no active silence {silence_id!r}")))
    out.print(f"silence {silence_id} expired")


@feeds_app.command("import")
def feeds_import(
    opml: Annotated[Path, typer.Argument(help="An OPML export from a feed reader.")],
    out_path: Annotated[
        Path, typer.Option("--out", help="The feeds file to write or extend.")
    ] = Path("feeds.yaml"),
) -> None:
    """Add the feeds of an OPML file to a feeds file (existing entries are kept)."""
    import yaml

    from borderwatch.connectors.poller import import_opml, load_feeds

    try:
        found = import_opml(opml)
        existing = load_feeds(out_path) if out_path.is_file() else []
    except BorderwatchError as exc:
        raise _fail(exc) from exc
    except OSError as exc:
        raise _fail(
            BorderwatchError(Problem("F021", f"cannot read: {exc.strerror}", opml))
        ) from exc
    known = {f.url for f in existing}
    added = [f for f in found if f.url not in known]
    feeds = [f.model_dump(exclude_none=True, exclude_defaults=True) for f in [*existing, *added]]
    out_path.write_text(yaml.safe_dump({"feeds": feeds}, sort_keys=False, allow_unicode=True))
    out.print(f"{len(added)} feeds added, {len(existing)} kept: {out_path}")


@feeds_app.command("status")
def feeds_status() -> None:
    """Per feed: last success, last error, items in the last 24 h, next poll."""
    import time as _time

    from borderwatch.connectors.feedstate import FeedState
    from borderwatch.runtime.wiring import feed_specs

    settings = _settings()
    try:
        specs = feed_specs(settings)
    except BorderwatchError as exc:
        raise _fail(exc) from exc
    state = FeedState(settings.data_dir / "state" / "feeds.sqlite3")
    now = _time.time()
    table = Table(title="feeds")
    for col in ("feed", "last success", "last error", "items 24h", "next poll", "failures"):
        table.add_column(col, overflow="fold")
    for spec in specs:
        h = state.health(spec.url)
        table.add_row(
            spec.name or spec.url,
            _when(h.last_success) if h.last_success else "never",
            f"{_when(h.last_error_at)} {h.last_error}" if h.last_error_at else "-",
            str(state.items_since(spec.url, now - 86400)),
            _when(h.next_poll) if h.next_poll else "now",
            str(h.failures),
        )
    out.print(table)
