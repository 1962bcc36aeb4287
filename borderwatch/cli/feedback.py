"""``borderwatch feedback``: what ops said about alerts in Slack, as a list or as eval data.

``export`` writes the eval corpus format (``id, title, text, labels``; ``facts.event_cluster``
per story, so folds keep a story whole), so ``borderwatch eval feedback.jsonl --compare
rules-draft/`` shows whether a rule edit fixes what ops flagged.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from borderwatch.cli.app import current_settings, group, out
from borderwatch.cli.render import when
from borderwatch.core.errors import BorderwatchError, Codes, Problem

if TYPE_CHECKING:
    from borderwatch.notifiers.feedback import Click

feedback_app = group("feedback", "What ops said about alerts in Slack: list it, export it.")


def _clicks(since: str | None) -> list[Click]:
    from borderwatch.notifiers.silences import parse_duration
    from borderwatch.runtime.wiring import feedback_store

    start = time.time() - parse_duration(since) if since else None
    return feedback_store(current_settings()).all(start)


SINCE = typer.Option("--since", help="Only clicks this recent: 12h, 7d (default: all).")


@feedback_app.command("list")
def feedback_list(
    since: Annotated[str | None, SINCE] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Every click on the Slack buttons: when, who, what, on which alert."""
    from borderwatch.notifiers.feedback import click_json

    clicks = _clicks(since)
    if as_json:
        for click in clicks:
            out.print(click_json(click), markup=False, highlight=False, soft_wrap=True)
        return
    table = Table(title=f"Feedback ({len(clicks)} clicks)")
    for col in ("when", "who", "verdict", "detail", "category", "article", "story"):
        table.add_column(col)
    for c in clicks:
        who = c.user_name or c.user_id
        table.add_row(when(c.at), Text(who), c.verdict.value, Text(c.detail), c.category,
                      Text(f"{c.title or c.article_id} ({c.article_id})"), c.story_id)  # fmt: skip
    out.print(table)


@feedback_app.command("export")
def feedback_export(
    out_path: Annotated[Path, typer.Option("--out", help="The corpus file to write (JSONL).")],
    since: Annotated[str | None, SINCE] = None,
) -> None:
    """Write the verdicts as a labelled corpus for ``borderwatch eval``."""
    from borderwatch.notifiers.feedback import corpus_rows
    from borderwatch.runtime.interact import archived_text

    settings = current_settings()
    clicks = _clicks(since)
    texts: dict[str, str] = {}
    for click in clicks:  # the archive may have the full text now, if it had not at the click
        if click.article_id not in texts:
            found = archived_text(settings.archive_dir, click.article_id, click.fetched_at)
            if found:
                texts[click.article_id] = found
    rows = corpus_rows(clicks, texts)
    try:
        with out_path.open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise BorderwatchError(Problem.of(Codes.L005, out_path, error=exc)) from exc
    negatives = sum(1 for r in rows if r["labels"] == ["none"])
    out.print(f"{len(rows)} articles ({negatives} not relevant) from {len(clicks)} clicks "
              f"-> {out_path}", markup=False, highlight=False)  # fmt: skip
