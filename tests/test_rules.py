from __future__ import annotations

import json
from pathlib import Path

import pytest

from borderwatch.errors import RuleError
from streams.rules import CATEGORIES
from streams.ruleset import load_rules
from tests.conftest import RULES

GOOD = """\
rules:
  - id: T-1
    title: test rule
    category: border_closure
    all:
      - phrase: [close* ... border]
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path) -> list[str]:
    with pytest.raises(RuleError) as info:
        load_rules([tmp_path])
    return [str(p) for p in info.value.problems]


def test_shipped_rules_load_and_cover_every_category() -> None:
    ruleset = load_rules([RULES])
    assert {r.category for r in ruleset.rules} == set(CATEGORIES)
    assert len(ruleset.version) == 12


def test_version_changes_with_content(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD)
    v1 = load_rules([tmp_path]).version
    write(tmp_path, "a.yaml", GOOD.replace("test rule", "test rule 2"))
    assert load_rules([tmp_path]).version != v1


def test_unknown_key_is_reported_with_file_line_and_code(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", GOOD + "    severty: high\n")
    (msg,) = problems(tmp_path)
    assert msg.startswith(f"{path}:7:")
    assert "[R003]" in msg and "severty" in msg


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.yaml",
        """\
rules:
  - id: A-1
    title: one
    category: border_party
    all:
      - phrase: ["..."]
  - id: A-2
    title: two
    title: again
    category: border_closure
    all:
      - entity: [COUNTRY]
""",
    )
    write(tmp_path, "b.yaml", GOOD)
    write(tmp_path, "c.yaml", GOOD)
    found = problems(tmp_path)
    joined = "\n".join(found)
    assert "a.yaml:9:5: [R002] duplicate key 'title'" in joined
    assert "a.yaml:4:" in joined and "border_party" in joined
    assert "a.yaml:6:" in joined and "[R005]" in joined
    assert "a.yaml:12:" in joined and "COUNTRY" in joined
    assert "c.yaml:2:" in joined and "[R004] duplicate rule id 'T-1'" in joined


def test_yaml_syntax_error_has_line(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "rules:\n  - id: [unclosed\n")
    (msg,) = problems(tmp_path)
    assert "a.yaml:3:" in msg and "[R001]" in msg


@pytest.mark.parametrize(
    "phrase",
    ["*", "open* ...", "... border", "border<script>", ""],
)
def test_invalid_phrases_are_rejected(tmp_path: Path, phrase: str) -> None:
    write(tmp_path, "a.yaml", GOOD.replace("close* ... border", json.dumps(phrase)))
    (msg,) = problems(tmp_path)
    assert "[R005]" in msg and "a.yaml:6:" in msg


def test_no_rule_files(tmp_path: Path) -> None:
    assert "[R007]" in problems(tmp_path)[0]
