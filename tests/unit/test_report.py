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


def test_report_escapes_every_field_and_links_only_web_urls() -> None:
    sentence = "Border guards opened fire <img src=x onerror=alert(1)> & fled."
    hostile = make_alert(title="<script>alert('t')</script>", sentence=sentence)
    quoted = hostile.model_copy(
        update={"article": hostile.article.model_copy(
            update={"url": "https://e.org/x' onmouseover='alert(1)", "source": "<i>Wire</i>"})}
    )  # fmt: skip
    script_url = make_alert().model_copy(
        update={"alert_id": "b", "article": ArticleRef(id="y", url="javascript:alert(1)")}
    )
    page = html_report("<b>title</b>", [quoted, script_url], None, {"<k>": "<v>"})
    for raw in ("<script>", "<img", "<i>", "<b>title", "<k>", "<v>", "onmouseover='"):
        assert raw not in page, raw
    assert "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "&amp; fled" in page
    assert 'href="https://e.org/x&#39; onmouseover=&#39;alert(1)"' in page
    assert "javascript:" not in page  # not a web link: the title is shown as text
