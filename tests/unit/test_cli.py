from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from borderwatch.cli import app
from tests.support.factories import CORPUS
from tests.support.fixtures import FIXTURES, RULES

runner = CliRunner()


def test_eval_prints_scores_and_writes_json(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    lines = [json.dumps(r) for r in CORPUS]
    lines.insert(2, "{broken")
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "scores.json"
    result = runner.invoke(app, ["eval", str(corpus), "--json", str(out), "--rules", str(RULES)])
    assert result.exit_code == 0, result.output
    assert "border_shooting" in result.output
    data = json.loads(out.read_text())
    shooting = data["per_category"]["border_shooting"]
    assert (shooting["tp"], shooting["fp"], shooting["fn"]) == (1, 0, 1)
    assert shooting["precision"] == 1.0 and shooting["recall"] == 0.5
    assert data["per_category"]["border_closure"]["tp"] == 1
    assert data["predictions"]["n1"] == [] and data["predictions"]["n2"] == []
    assert "border_shooting" in data["predictions"]["p1"]
    assert set(data["predictions"]) == {"p1", "p2", "n1", "n2"}


def test_rules_check_ok_and_located_failure(tmp_path: Path) -> None:
    ok = runner.invoke(app, ["rules", "check", str(RULES)])
    assert ok.exit_code == 0 and "OK" in ok.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - id: X-1\n    title: t\n    category: border_closure\n    all: []\n")
    result = runner.invoke(app, ["rules", "check", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{bad}:2:" in result.output and "[R003]" in result.output


def test_replay_refuses_to_start_with_bad_rules(tmp_path: Path) -> None:
    (tmp_path / "r.yaml").write_text("rules:\n  - id: X-1\n    titel: t\n")
    result = runner.invoke(
        app, ["replay", "samples/archive.jsonl"], env={"BORDERWATCH_RULES_DIR": str(tmp_path)}
    )
    assert result.exit_code == 1
    assert "r.yaml:3:5: [R003]" in result.output and "titel" in result.output


ERRORS = FIXTURES / "rule_errors"


def test_rules_check_reports_failing_examples_and_every_problem(tmp_path: Path) -> None:
    result = runner.invoke(app, ["rules", "check", str(ERRORS / "r009_failing_example")])
    assert result.exit_code == 1
    lines = [ln for ln in result.output.splitlines() if "[R009]" in ln]
    assert [ln.split(": [")[0].rsplit(":", 2)[1:] for ln in lines] == [["10", "11"], ["12", "11"]]


def test_rules_test_prints_pass_and_fail_per_rule(tmp_path: Path) -> None:
    ok = runner.invoke(app, ["rules", "test", str(RULES)])
    assert ok.exit_code == 0, ok.output
    assert "BW-OPEN-001" in ok.output and "pass" in ok.output and "FAIL" not in ok.output
    bad = runner.invoke(app, ["rules", "test", str(ERRORS / "r009_failing_example")])
    assert bad.exit_code == 1
    assert "FAIL" in bad.output
    assert "T-1 match[1]: did not match: 'The ministry sealed the frontier.'" in bad.output


def test_rules_explain_shows_conditions_drops_and_evidence(tmp_path: Path) -> None:
    text = "Turkey threatened to close the border. On Friday Greece closed the Evros crossing."
    result = runner.invoke(app, ["rules", "explain", "BW-CLOSE-001", "--text", text])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "all[0] ✓" in out and "'closed the Evros crossing'@s1" in out
    assert "dropped: 'close the border'@s0 (border_actions.status is threatened)" in out
    assert "MATCH: On Friday Greece closed the Evros crossing." in out
    story = tmp_path / "story.txt"
    story.write_text("Quiet day at the frontier\nNothing was closed today, officials said.\n")
    result = runner.invoke(app, ["rules", "explain", "BW-CLOSE-001", "--file", str(story)])
    assert result.exit_code == 0 and "NO MATCH" in result.output
    unknown = runner.invoke(app, ["rules", "explain", "NOPE", "--text", "x"])
    assert unknown.exit_code == 1 and "[R011] no rule with id 'NOPE'" in unknown.output


def test_rules_schema_writes_and_checks(tmp_path: Path) -> None:
    target = tmp_path / "schema.json"
    stale = runner.invoke(app, ["rules", "schema", "--out", str(target), "--check"])
    assert stale.exit_code == 1 and "stale" in stale.output
    assert runner.invoke(app, ["rules", "schema", "--out", str(target)]).exit_code == 0
    assert json.loads(target.read_text())["title"] == "Borderwatch rule file"
    lists = json.loads((tmp_path / "lists" / "schema.json").read_text())
    lexicons = json.loads((tmp_path / "languages" / "schema.json").read_text())
    assert lists["title"] == "Borderwatch named-list file"
    assert lexicons["title"] == "Borderwatch language lexicon"
    assert lexicons["additionalProperties"] is False and "words" in lexicons["required"]
    fresh = runner.invoke(app, ["rules", "schema", "--out", str(target), "--check"])
    assert fresh.exit_code == 0
    (tmp_path / "languages" / "schema.json").write_text("{}", encoding="utf-8")
    one_stale = runner.invoke(app, ["rules", "schema", "--out", str(target), "--check"])
    said = one_stale.output.replace("\n", "")
    assert one_stale.exit_code == 1 and said.count("is stale") == 1
    assert "languages/schema.json is stale" in said


def test_eval_scores_facts_against_annotations(tmp_path: Path) -> None:
    items = [
        {"id": "f1", "title": "Chad seals frontier", "labels": ["border_closure"],
         "text": "Chad sealed its border with Sudan at Adre after clashes killed five Chadian soldiers.",
         "facts": {"countries": ["Chad", "Sudan"], "border": "Adré crossing", "casualties": {"killed": 5}}},
        {"id": "f2", "title": "Guards fire", "labels": ["border_shooting"],
         "text": "Border guards opened fire on migrants crossing the fence into Greece, killing two.",
         "facts": {"countries": ["Greece", "Spain"], "border": "Kastanies", "victims": {"killed": 2}}},
        {"id": "n1", "title": "Bank", "labels": ["none"], "text": "The bank raised rates.",
         "facts": {"countries": ["Russia"]}},
    ]  # fmt: skip
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("\n".join(json.dumps(i) for i in items) + "\n", encoding="utf-8")
    out = tmp_path / "scores.json"
    result = runner.invoke(app, ["eval", str(corpus), "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "casualty counts" in result.output
    acc = json.loads(out.read_text())["facts_accuracy"]
    assert acc["items"] == 2  # negatives are not scored
    assert (acc["countries"], acc["crossing"], acc["casualty_counts"]) == (0.5, 0.5, 1.0)
    assert "ESP" in acc["wrong"]["f2"][0] and "pazarkule" in acc["wrong"]["f2"][1]


def test_eval_lists_errors_and_compares_rule_sets(tmp_path: Path) -> None:
    import shutil

    corpus = tmp_path / "c.jsonl"
    corpus.write_text("\n".join(json.dumps(r) for r in CORPUS) + "\n", encoding="utf-8")
    draft = tmp_path / "draft"
    shutil.copytree(RULES, draft)
    (draft / "border_shooting.yaml").unlink()  # the draft has no shooting rules
    out = tmp_path / "scores.json"
    result = runner.invoke(
        app, ["eval", str(corpus), "--compare", str(draft), "--json", str(out)],
        env={"COLUMNS": "200"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "F1 B-A" in result.output and "-0.667" in result.output  # shooting lost in B
    data = json.loads(out.read_text())
    assert data["per_category"]["border_shooting"]["tn"] == 2
    (fn,) = [e for e in data["errors"] if e["kind"] == "fn"]
    assert (fn["id"], fn["category"]) == ("n2", "border_shooting")
    assert data["compare"]["per_category"]["border_shooting"]["tp"] == 0
    assert "FN" in result.output and "n2" in result.output


def test_problems_are_printed_as_text_not_markup(tmp_path: Path) -> None:
    """A problem quoting user input with rich markup in it is printed as written."""
    env = {"BORDERWATCH_DATA_DIR": str(tmp_path)}
    result = runner.invoke(app, ["silence", "expire", "[/x][red]"], env=env)
    assert result.exit_code == 1, result.output
    assert "[S007] no active silence '[/x][red]'" in result.output
    assert isinstance(result.exception, SystemExit)  # the boundary's exit, not a MarkupError
    # a skipped input line on the way, quoting a path with markup in it
    corpus = tmp_path / "a[" / "x]b.jsonl"
    corpus.parent.mkdir()
    corpus.write_text("{broken\n" + json.dumps(CORPUS[0]) + "\n", encoding="utf-8")
    skipped = runner.invoke(app, ["eval", str(corpus), "--rules", str(RULES)])
    assert skipped.exit_code == 0, skipped.output
    assert "skipped" in skipped.output and "a[/x]b.jsonl" in skipped.output.replace("\n", "")


def test_python_dash_m_borderwatch_runs_every_group(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "BORDERWATCH_DATA_DIR": str(tmp_path), "COLUMNS": "200"}
    done = subprocess.run(
        [sys.executable, "-m", "borderwatch", "silence", "list"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "silences" in done.stdout and "No such command" not in done.stderr


def test_codes_lists_the_catalogue() -> None:
    from borderwatch.core.errors import CATALOGUE, codes_table_markdown

    listed = runner.invoke(app, ["codes"], env={"COLUMNS": "250"})
    assert listed.exit_code == 0, listed.output
    assert all(f"│ {code} " in listed.output for code in CATALOGUE)
    assert "{kind}[{index}]" in listed.output  # templates shown as written, not as markup
    table = runner.invoke(app, ["codes", "--markdown"])
    assert table.exit_code == 0 and table.output == codes_table_markdown()
