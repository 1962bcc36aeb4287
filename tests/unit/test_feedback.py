"""Feedback becomes labelled data: clicks in Slack -> the feedback store -> ``feedback export``
-> ``borderwatch eval`` on the exported corpus, and the labels a verdict implies."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from borderwatch.cli import app
from borderwatch.connectors.archive import ArticleArchive
from borderwatch.core.models import Article
from borderwatch.notifiers.feedback import Click, Verdict, corpus_rows
from borderwatch.notifiers.sinks.slack.interact import ACK, CATEGORY, NOT_RELEVANT
from borderwatch.runtime.interact import Outcome
from borderwatch.streams.detect import Detector
from tests.support.fakeslack import FakeSlack
from tests.support.fixtures import RULES
from tests.support.slackdesk import OPS, desk, outcome, parent

runner = CliRunner()

SHOOTING = Article(
    id="p1", title="Guards fire at the fence",
    text="Border guards opened fire on migrants crossing the fence near Pazarkule on Monday. "
    "Two people were wounded, officials said.", source="Wire A",
)  # fmt: skip
CLOSURE = Article(id="p2", title="Sealed", text="Chad sealed its border with Sudan on Tuesday.",
                  source="Wire B")  # fmt: skip


@pytest.fixture()
def data_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BORDERWATCH_")}
    env.update(BORDERWATCH_DATA_DIR=str(tmp_path), COLUMNS="200")
    yield env


def click(n: int, verdict: Verdict, category: str, detail: str = "", article: str = "x1",
          at: float = 0.0) -> Click:  # fmt: skip
    return Click(click_id=f"k{n}", at=at or float(n), user_id=OPS, user_name="ops",
                 verdict=verdict, detail=detail, story_id="s1", alert_id=f"a{n}",
                 article_id=article, category=category, title="t", text="kept text")  # fmt: skip


def test_the_latest_statement_about_each_category_wins() -> None:
    rows = corpus_rows([
        click(1, Verdict.acknowledged, "border_shooting"),
        click(2, Verdict.wrong_category, "border_shooting", "border_closure"),
        click(3, Verdict.silenced, "border_shooting", "6h", article="x2"),  # says nothing
        click(4, Verdict.not_relevant, "border_opening", article="x3"),
    ], texts={"x1": "the full text"})  # fmt: skip
    assert [r["id"] for r in rows] == ["x1", "x3"]
    assert rows[0]["labels"] == ["border_closure"] and rows[0]["text"] == "the full text"
    assert rows[1]["labels"] == ["none"] and rows[1]["text"] == "kept text"
    assert rows[0]["facts"] == {"event_cluster": "story:s1"}
    assert [f["verdict"] for f in rows[0]["feedback"]] == ["acknowledged", "wrong_category"]


def test_clicks_export_as_a_corpus_that_eval_scores(
    fake_slack: FakeSlack, tmp_path: Path, detector: Detector, data_env: dict[str, str]
) -> None:
    archive = ArticleArchive(tmp_path / "archive")  # where the full texts are found
    for article in (SHOOTING, CLOSURE):
        archive.append(article)
    archive.close()
    with desk(fake_slack, tmp_path) as (d, clicks):
        shooting, closure = detector.alerts(SHOOTING), detector.alerts(CLOSURE)
        assert [a.category for a in shooting] == ["border_shooting"]
        assert [a.category for a in closure] == ["border_closure"]
        d.deliver(shooting[0])
        d.deliver(closure[0])
        for n, (action, option) in enumerate([(ACK, None), (CATEGORY, "border_opening")]):
            channel, ts = parent(fake_slack, n)
            payload = fake_slack.block_actions(channel, ts, action, user=OPS, option=option)
            assert fake_slack.send_click(d.endpoint, payload) == 200
            assert outcome(clicks) == Outcome.DONE
        channel, ts = parent(fake_slack, 1)
        payload = fake_slack.block_actions(channel, ts, NOT_RELEVANT, user="U0OPS2")
        assert fake_slack.send_click(d.endpoint, payload) == 200
        assert outcome(clicks) == Outcome.DONE

    listed = runner.invoke(app, ["feedback", "list"], env=data_env)
    assert listed.exit_code == 0, listed.output
    assert "3 clicks" in listed.output and "wrong_category" in listed.output

    corpus = tmp_path / "feedback.jsonl"
    exported = runner.invoke(app, ["feedback", "export", "--out", str(corpus)], env=data_env)
    assert exported.exit_code == 0, exported.output
    assert "2 articles (0 not relevant) from 3 clicks" in exported.output
    rows = {r["id"]: r for r in map(json.loads, corpus.read_text().splitlines())}
    assert rows["p1"]["labels"] == ["border_shooting"]
    assert rows["p1"]["text"] == SHOOTING.text  # from the archive, not only the evidence
    # wrong category -> border_opening, then "not relevant" from someone else about the
    # alert's category (closure): opening stays the only label
    assert rows["p2"]["labels"] == ["border_opening"]

    scores = tmp_path / "scores.json"
    result = runner.invoke(
        app, ["eval", str(corpus), "--json", str(scores), "--rules", str(RULES),
              "--compare", str(RULES)],
        env=data_env,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(scores.read_text())
    per = data["per_category"]
    assert per["border_shooting"]["tp"] == 1  # what ops acknowledged, the rules still find
    assert per["border_closure"]["fp"] == 1  # what ops flagged, the rules still get wrong
    assert per["border_opening"]["fn"] == 1
    assert data["compare"]["per_category"]["border_closure"]["fp"] == 1


def test_export_to_an_unwritable_place_is_a_located_problem(
    tmp_path: Path, data_env: dict[str, str]
) -> None:
    target = tmp_path / "missing" / "dir" / "f.jsonl"
    result = runner.invoke(app, ["feedback", "export", "--out", str(target)], env=data_env)
    assert result.exit_code == 1
    assert "[L005] cannot write" in result.output
