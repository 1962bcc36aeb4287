"""``borderwatch eval``: score the rules on a labelled corpus before they go live.

It runs in this process with the same detect code as the worker, so a score here is the
score the live system would get on the same articles.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from borderwatch.cli.app import app, current_settings, out, skipped
from borderwatch.cli.render import comparison_table, errors_table, facts_table, scores_table
from borderwatch.core.errors import BorderwatchError, Codes, Problem


@app.command("eval")
def evaluate(
    corpora: Annotated[
        list[Path], typer.Argument(help="JSONL files with id, title, text, labels (one or more).")
    ],
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
    folds: Annotated[
        int | None,
        typer.Option(
            "--folds",
            min=2,
            help="Also score K folds that keep each facts.event_cluster whole; prints "
            "per-category F1 per fold and the mean.",
        ),
    ] = None,
) -> None:
    """Precision, recall and F1 per category, in-process, with the live detect code."""
    from borderwatch.streams.examples import checked_detector
    from borderwatch.streams.scoring.evaluate import evaluate as run_eval
    from borderwatch.streams.scoring.evaluate import read_corpora, with_folds

    settings = current_settings()
    detector = checked_detector(settings, rules, examples=False)
    other = checked_detector(settings, compare, examples=False) if compare else None
    try:
        items, problems = read_corpora(corpora)
    except OSError as exc:
        raise BorderwatchError(
            Problem.of(Codes.I002, Path(exc.filename or corpora[0]), error=exc)
        ) from exc
    for problem in problems:
        skipped(problem)
    corpus = ", ".join(str(c) for c in corpora)
    result = run_eval(detector, items)
    try:
        with_folds(result, items, folds)
    except ValueError as exc:
        raise BorderwatchError(Problem.of(Codes.I003, error=exc)) from exc
    other_result = run_eval(other, items) if other is not None else None
    title = f"{corpus} ({len(items)} items, rules {detector.rules.version})"
    out.print(scores_table(title, result))
    for table in honest_tables(result):
        out.print(table)
    if other is not None and other_result is not None:
        out.print(comparison_table(result, other_result, detector, other))
    if errors and result.errors:
        out.print(errors_table(result.errors))
    if result.facts_score is not None:
        out.print(facts_table(result.facts_score))
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


def honest_tables(result: Any) -> list[Table]:
    """Per-corpus F1, fold F1 and their mean, false alerts on negatives, precision per band."""
    tables: list[Table] = []
    categories = list(result.per_category)
    if result.per_corpus:
        table = Table(title="F1 per corpus")
        for col in ("corpus", "items", *categories, "false alerts on negatives"):
            table.add_column(col, justify="left" if col == "corpus" else "right")
        for name, row in result.per_corpus.items():
            neg = row["false_alerts_on_negatives"]
            table.add_row(
                escape(name), str(row["items"]), *(f"{row['f1'][c]:.3f}" for c in categories),
                f"{neg['items']} of {neg['of']}",
            )  # fmt: skip
        tables.append(table)
    if result.per_language:
        table = Table(title="F1 per language (items with the category in brackets)")
        for col in ("language", "items", *categories):
            table.add_column(col, justify="left" if col == "language" else "right")
        for name, row in result.per_language.items():
            f1s = [f"{row['f1'][c]:.3f} ({row['support'][c]})" for c in categories]
            table.add_row(escape(name), str(row["items"]), *f1s)
        tables.append(table)
    if result.folds is not None:
        report = result.folds
        table = Table(title=f"F1 per fold ({len(report.folds)} folds, event clusters kept whole)")
        for col in ("fold", "items", "clusters", *categories):
            table.add_column(col, justify="left" if col == "fold" else "right")
        for i, fold in enumerate(report.folds):
            cells = [
                f"{fold[c].f1:.3f}" if fold[c].support or fold[c].fp else "-" for c in categories
            ]
            table.add_row(str(i + 1), str(report.sizes[i]), str(report.clusters[i]), *cells)
        table.add_row("mean", "", "", *(f"{report.mean_f1(c):.3f}" for c in categories))
        tables.append(table)
    if result.reliability is not None:
        table = Table(title="reliability: precision per confidence band")
        for col in ("band", "alerts", "right", "precision"):
            table.add_column(col, justify="left" if col == "band" else "right")
        for band, row in result.reliability.bands.items():
            shown = f"{row.precision:.3f}" if row.alerts else "-"
            table.add_row(band, str(row.alerts), str(row.right), shown)
        tables.append(table)
    hit, of = result.negatives
    table = Table(title="false alerts on negatives")
    for col in ("negatives", "with an alert", "share"):
        table.add_column(col, justify="right")
    table.add_row(str(of), str(hit), f"{hit / of:.3f}" if of else "-")
    tables.append(table)
    return tables
