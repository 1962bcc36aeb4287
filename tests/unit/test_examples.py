"""The examples runner: match, no_match, and expected facts, with located failures."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language

from borderwatch.core.errors import RuleError
from borderwatch.core.settings import Settings
from borderwatch.streams.examples import checked_detector, run_examples

RULE = """\
rules:
  - id: T-TROOP
    title: t
    category: troop_casualties
    all:
      - fact: "casualties.who in [soldier]"
    examples:
      match:
        - text: "At least 33 soldiers were killed in the attack."
          facts:
            casualties: [{count: 33, who: soldier, outcome: killed}]
        - "Two soldiers died at the post."
      no_match:
        - "Guards killed three migrants."
"""


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "r.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_passing_examples(nlp: Language, tmp_path: Path) -> None:
    det = checked_detector(Settings(), _write(tmp_path, RULE), examples=False)
    results = run_examples(det)
    assert [(r.kind, r.index, r.ok) for r in results] == [
        ("match", 0, True),
        ("match", 1, True),
        ("no_match", 0, True),
    ]


@pytest.mark.parametrize(
    ("edit", "line", "detail"),
    [
        (
            "count: 33, who",
            "10:11",
            "facts missing: casualty (count=34, who=soldier, outcome=killed)",
        ),
        ("Two soldiers died", "12:11", "did not match"),
        ("Guards killed three migrants.", "14:11", "matched, but must not"),
    ],
)
def test_failing_examples_are_located(
    nlp: Language, tmp_path: Path, edit: str, line: str, detail: str
) -> None:
    broken = {
        "count: 33, who": RULE.replace("count: 33, who", "count: 34, who"),
        "Two soldiers died": RULE.replace("Two soldiers died", "Two soldiers rested"),
        "Guards killed three migrants.": RULE.replace(
            "Guards killed three migrants.", "Guards killed three soldiers."
        ),
    }[edit]
    path = _write(tmp_path, broken)
    with pytest.raises(RuleError) as info:
        checked_detector(Settings(), path)
    (problem,) = info.value.problems
    assert str(problem).startswith(f"{path / 'r.yaml'}:{line}: [R009] rule T-TROOP")
    assert detail in str(problem)
