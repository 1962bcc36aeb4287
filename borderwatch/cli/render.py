"""Rich tables and the replay progress bar: what the commands print, apart from what they do.

Cells that quote input (rule ids, silence reasons, feed errors, evidence) go in as ``Text``,
so a ``[`` in them is shown as written, never read as rich markup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from borderwatch.cli.app import err
from borderwatch.core.models import Article

if TYPE_CHECKING:
    from borderwatch.connectors.feedstate import FeedState
    from borderwatch.connectors.poller import FeedSpec
    from borderwatch.notifiers.silences import Silence
    from borderwatch.runtime.wiring import RunSummary
    from borderwatch.streams.detect import Detector
    from borderwatch.streams.examples import ExampleResult
    from borderwatch.streams.scoring.evaluate import EvalResult
    from borderwatch.streams.scoring.factscore import FactsScore


def when(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC")


def summary_table(summary: RunSummary) -> Table:
    """What a replay or a live run did, printed when it ends."""
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
        table.add_row(Text(f"  rule {rule_id}"), str(n))
    table.add_row("alerts in all", str(sum(summary.alerts.values())))
    for name, n in summary.failures.items():
        table.add_row(Text(f"delivery failures: {name}"), str(n))
    for name, n in sorted(summary.already.items()):  # a repeated replay posts nothing twice
        table.add_row(Text(f"already delivered: {name}"), str(n))
    if summary.seconds:
        table.add_row("seconds", f"{summary.seconds:.1f}")
    return table


@contextmanager
def replay_progress(paths: list[Path]) -> Iterator[Callable[[str, int], None]]:
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


def scores_table(title: str, result: EvalResult) -> Table:
    table = Table(title=Text(title))
    for col in ("category", "precision", "recall", "f1", "tp", "fp", "fn", "tn"):
        table.add_column(col, justify="left" if col == "category" else "right")
    for category, score in result.per_category.items():
        d = score.as_dict()
        table.add_row(
            category, *(f"{d[k]:.3f}" for k in ("precision", "recall", "f1")),
            *(str(d[k]) for k in ("tp", "fp", "fn", "tn")),
        )  # fmt: skip
    return table


def comparison_table(a: EvalResult, b: EvalResult, da: Detector, db: Detector) -> Table:
    """Two rule sets on one corpus, side by side, with the F1 each category gains or loses."""
    table = Table(title=Text(f"rules {da.rules.version} (A) vs {db.rules.version} (B)"))
    for col in ("category", "P A", "R A", "F1 A", "P B", "R B", "F1 B", "F1 B-A"):
        table.add_column(col, justify="left" if col == "category" else "right")
    for category in sorted(set(a.per_category) | set(b.per_category)):
        sa, sb = a.per_category.get(category), b.per_category.get(category)
        va = (sa.precision, sa.recall, sa.f1) if sa else (0.0, 0.0, 0.0)
        vb = (sb.precision, sb.recall, sb.f1) if sb else (0.0, 0.0, 0.0)
        table.add_row(category, *(f"{v:.3f}" for v in (*va, *vb)), f"{vb[2] - va[2]:+.3f}")
    return table


def errors_table(errors: Sequence[dict[str, str]]) -> Table:
    table = Table(title="false positives and false negatives")
    for col in ("id", "category", "kind", "rule", "evidence"):
        table.add_column(col, overflow="fold")
    for e in errors:
        table.add_row(
            Text(e["id"]), e["category"], e["kind"].upper(), Text(e["rule"]),
            Text(e["evidence"][:300]),
        )  # fmt: skip
    return table


def facts_table(fscore: FactsScore) -> Table:
    table = Table(title=f"facts on {fscore.items} positive items with annotated facts")
    for col in ("fact", "right", "of", "share"):
        table.add_column(col, justify="left" if col == "fact" else "right")
    for name, right, total in (
        ("countries", fscore.countries_right, fscore.items),
        ("crossing", fscore.crossing_right, fscore.items),
        ("casualty counts", fscore.casualties_right, fscore.casualty_items),
    ):
        share = f"{right / total:.3f}" if total else "-"
        table.add_row(name, str(right), str(total), share)
    return table


def examples_table(detector: Detector, results: Sequence[ExampleResult]) -> Table:
    """Passed and failed examples per rule, in rule-file order."""
    table = Table(title=f"rule examples (rules {detector.rules.version})")
    for col in ("rule", "passed", "failed", ""):
        table.add_column(col, justify="right" if col in ("passed", "failed") else "left")
    for rule in detector.rules.rules:
        mine = [r for r in results if r.rule_id == rule.id]
        bad = [r for r in mine if not r.ok]
        status = "[red]FAIL[/]" if bad else "[green]pass[/]"
        table.add_row(Text(rule.id), str(len(mine) - len(bad)), str(len(bad)), status)
    return table


def language_examples_table(results: Sequence[ExampleResult]) -> Table:
    """Examples per language, English first, and the categories they cover (those not in
    English are read by the language's lexicon)."""
    table = Table(title="rule examples per language")
    for col in ("language", "match", "no_match", "failed", "categories"):
        table.add_column(col, justify="right" if col in ("match", "no_match", "failed") else "left")
    languages = sorted({r.language for r in results}, key=lambda lang: (lang != "en", lang))
    for lang in languages:
        mine = [r for r in results if r.language == lang]
        kinds = [str(sum(1 for r in mine if r.kind == kind)) for kind in ("match", "no_match")]
        failed = sum(1 for r in mine if not r.ok)
        covered = len({r.category for r in mine})
        table.add_row(Text(lang), *kinds, f"[red]{failed}[/]" if failed else "0", str(covered))
    return table


def silences_table(silences: Sequence[Silence], now: float) -> Table:
    from borderwatch.notifiers.silences import describe

    table = Table(title="silences")
    for col in ("id", "matchers", "until", "reason", "state"):
        table.add_column(col, no_wrap=col in ("id", "matchers", "until"))
    for s in silences:
        matchers = describe(s.matchers)
        state = "active" if s.active(now) else "expired"
        table.add_row(s.silence_id, Text(matchers), when(s.ends_at), Text(s.reason), state)
    return table


def feeds_table(specs: Sequence[FeedSpec], state: FeedState, now: float) -> Table:
    table = Table(title="feeds")
    for col in ("feed", "last success", "last error", "items 24h", "next poll", "failures"):
        table.add_column(col, overflow="fold")
    for spec in specs:
        h = state.health(spec.url)
        table.add_row(
            Text(spec.name or spec.url),
            when(h.last_success) if h.last_success else "never",
            Text(f"{when(h.last_error_at)} {h.last_error}") if h.last_error_at else "-",
            str(state.items_since(spec.url, now - 86400)),
            when(h.next_poll) if h.next_poll else "now",
            str(h.failures),
        )
    return table
