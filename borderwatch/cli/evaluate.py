"""``borderwatch eval``: score the rules on a labelled corpus before they go live.

It runs in this process with the same detect code as the worker, so a score here is the
score the live system would get on the same articles.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from borderwatch.cli.app import app, current_settings, out, skipped
from borderwatch.cli.render import comparison_table, errors_table, facts_table, scores_table
from borderwatch.core.errors import BorderwatchError, Problem


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
    from borderwatch.streams.examples import checked_detector
    from borderwatch.streams.scoring.evaluate import evaluate as run_eval
    from borderwatch.streams.scoring.evaluate import read_corpus

    settings = current_settings()
    detector = checked_detector(settings, rules, examples=False)
    other = checked_detector(settings, compare, examples=False) if compare else None
    try:
        items, problems = read_corpus(corpus)
    except OSError as exc:
        raise BorderwatchError(Problem("I002", f"cannot read corpus: {exc}", corpus)) from exc
    for problem in problems:
        skipped(problem)
    result = run_eval(detector, items)
    other_result = run_eval(other, items) if other is not None else None
    title = f"{corpus} ({len(items)} items, rules {detector.rules.version})"
    out.print(scores_table(title, result))
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
