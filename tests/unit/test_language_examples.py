"""Rule examples in other languages: read by the language's lexicon through the detector, passed
by the rule's category, located when they fail or name a language no lexicon reads."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from borderwatch.cli.app import app
from borderwatch.core.errors import RuleError
from borderwatch.core.settings import Settings
from borderwatch.streams.detect import Detector
from borderwatch.streams.examples import checked_detector, run_examples
from borderwatch.streams.rules.load import load_rules
from tests.support.fixtures import RULES

RULE = """\
rules:
  - id: T-TROOP
    title: t
    category: troop_casualties
    all:
      - fact: "casualties.who in [soldier]"
    examples:
      match:
        - "Two soldiers died at the post."
        - text: "Karakola yapılan saldırıda üç asker şehit oldu."
          language: tr
          facts:
            casualties: [{count: 3, who: soldier, outcome: killed}]
      no_match:
        - text: "Askerler bayram töreninde geçit yaptı."
          language: tr
"""


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "r.yaml").write_text(text, encoding="utf-8")
    shutil.copytree(RULES / "languages", tmp_path / "languages")
    shutil.copytree(RULES / "lists", tmp_path / "lists")  # the lexicons' @lists
    return tmp_path


def test_foreign_examples_pass_by_category(tmp_path: Path) -> None:
    det = checked_detector(Settings(), _write(tmp_path, RULE), examples=False)
    results = run_examples(det)
    assert [(r.kind, r.index, r.language, r.ok) for r in results] == [
        ("match", 0, "en", True),
        ("match", 1, "tr", True),
        ("no_match", 0, "tr", True),
    ]


@pytest.mark.parametrize(
    ("old", "new", "line", "detail"),
    [
        (
            "üç asker şehit oldu",
            "üç asker nöbet tuttu",
            "10:11",
            "did not match (tr: troop_casualties)",
        ),
        ("count: 3, who", "count: 4, who", "12:11", "facts missing: casualty (count=4"),
        ("geçit yaptı", "saldırıda öldü", "15:11", "matched, but must not (tr: troop_casualties)"),
    ],
)
def test_failing_foreign_examples_are_located(
    tmp_path: Path, old: str, new: str, line: str, detail: str
) -> None:
    path = _write(tmp_path, RULE.replace(old, new))
    with pytest.raises(RuleError) as info:
        checked_detector(Settings(), path)
    (problem,) = info.value.problems
    assert str(problem).startswith(f"{path / 'r.yaml'}:{line}: [R009] rule T-TROOP")
    assert detail in str(problem)


def test_a_language_without_lexicon_is_located_at_its_language(tmp_path: Path) -> None:
    path = _write(
        tmp_path, RULE.replace("language: tr\n          facts", "language: de\n          facts")
    )
    with pytest.raises(RuleError) as info:
        checked_detector(Settings(), path)
    (problem,) = info.value.problems
    assert problem.code == "R015"
    assert str(problem).startswith(f"{path / 'r.yaml'}:11:11: [R015] rule T-TROOP example match[1]")
    assert "'de'" in str(problem) and "tr" in str(problem)


def test_a_language_that_is_no_iso_code_is_a_schema_problem(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        RULE.replace("language: tr\n          facts", "language: Turkish\n          facts"),
    )
    with pytest.raises(RuleError) as info:
        load_rules([path])
    located = {(p.code, p.line, p.col): p.message for p in info.value.problems}
    assert "examples.match.1.language" in located[("R003", 11, 11)]


def test_shipped_rules_have_examples_in_every_language(detector: Detector) -> None:
    """Each category's main rule: a match and a no_match in every language a lexicon reads,
    all passing."""
    results = run_examples(detector)
    assert [r for r in results if not r.ok] == []
    foreign = Counter((r.language, r.category, r.kind) for r in results if r.language != "en")
    languages = sorted(detector.foreign.lexicons) if detector.foreign else []
    assert len(languages) >= 7
    for lang in languages:
        for category in detector.rules.categories:
            for kind in ("match", "no_match"):
                assert foreign[(lang, category, kind)] >= 1, (lang, category, kind)


def test_rules_test_counts_examples_per_language() -> None:
    result = CliRunner().invoke(app, ["rules", "test", str(RULES)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "rule examples per language" in result.output
    rows = {
        m[1]: (int(m[2]), int(m[3]), int(m[4]))
        for m in re.finditer(r"│ (\w\w)\s+│\s+(\d+) │\s+(\d+) │\s+(\d+) │", result.output)
    }
    assert set(rows) == {"en", "tr", "el", "es", "fr", "pl", "ar", "ru"}
    assert all(match >= 4 and no_match >= 4 and failed == 0 for match, no_match, failed in
               rows.values())  # fmt: skip
