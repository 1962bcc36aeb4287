"""The HTML report: self-contained, escaped, with the timeline and the counts."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from borderwatch.cli import app
from borderwatch.cli.report import html_report
from borderwatch.core.models import ArticleRef
from tests.support.factories import CORPUS, make_alert


def test_report_is_self_contained_and_escaped() -> None:
    hostile = make_alert(title="<script>alert(1)</script> & more")
    dated = hostile.model_copy(
        update={"article": ArticleRef(id="x", title=hostile.article.title, url="https://e.org/x",
                                      published=datetime(2020, 2, 28, tzinfo=UTC))}
    )  # fmt: skip
    other = make_alert().model_copy(
        update={"alert_id": "b", "category": "border_closure",
                "article": ArticleRef(id="y", published=datetime(2020, 3, 1, tzinfo=UTC))}
    )  # fmt: skip
    page = html_report("t", [dated, other], {"border_shooting": {"precision": 1.0, "f1": 0.5}})
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert not re.search(r"(src|href)=['\"](?!https://e\.org/x)", page)  # nothing to fetch
    assert page.count("<rect") == 2 and "2020-02-28" in page and "2020-03-01" in page
    assert "<b>" in page  # the matched words are marked
    assert "1.000" in page and "0.500" in page


def test_eval_writes_a_report(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("\n".join(json.dumps(r) for r in CORPUS) + "\n", encoding="utf-8")
    report = tmp_path / "r.html"
    result = CliRunner().invoke(app, ["eval", str(corpus), "--report", str(report)])
    assert result.exit_code == 0, result.output
    page = report.read_text()
    assert page.startswith("<!doctype html>") and "Borderwatch eval" in page
    assert "border_shooting" in page and "<svg" in page
