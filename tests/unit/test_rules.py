from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from spacy.language import Language

from borderwatch.core.errors import RuleError
from borderwatch.core.models import RULE_CATEGORIES
from borderwatch.core.settings import Settings
from borderwatch.streams.examples import checked_detector
from borderwatch.streams.rules.load import load_rules
from borderwatch.streams.rules.model import CueKind, schema_text, schema_texts
from tests.support.fixtures import FIXTURES, RULES

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
    assert {r.category for r in ruleset.rules} == set(RULE_CATEGORIES)
    assert len(ruleset.version) == 12


def test_version_changes_with_content(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD)
    v1 = load_rules([tmp_path]).version
    write(tmp_path, "a.yaml", GOOD.replace("test rule", "test rule 2"))
    assert load_rules([tmp_path]).version != v1


def test_no_rule_files(tmp_path: Path) -> None:
    assert "[R007]" in problems(tmp_path)[0]


ERRORS = FIXTURES / "rule_errors"

# Every error code, each with its fixture directory and the exact locations expected.
# The locations were checked by hand against the fixture files.
ERROR_TABLE = [
    (
        "r001_syntax",
        [
            "rules.yaml:4:13: [R001] YAML syntax error: expected ',' or ']', but got ':' "
            "(while parsing a flow sequence at line 3, column 12)"
        ],
    ),
    (
        "r002_duplicate_key",
        ["rules.yaml:5:5: [R002] duplicate key 'title' (first defined on line 3)"],
    ),
    ("r003_unknown_key", ["rules.yaml:5:5: [R003] rules.0.severty: unknown key 'severty'"]),
    (
        "r003_bad_category",
        ["rules.yaml:4:5: [R003] rules.0.category: unknown category 'border_party'"],
    ),
    (
        "r003_bad_list_file",
        [
            "lists/a.yaml:2:3: [R003] lists.BorderWords: name 'BorderWords' must be lower_snake_case",
            "lists/a.yaml:5:5: [R003] lists.empty_one.items: List should have at least 1 item",
            "rules.yaml:7:18: [R006] unknown list '@border_words'",
        ],
    ),
    ("r004_duplicate_id", ["b.yaml:8:5: [R004] duplicate rule id 'T-1' (also at a.yaml:2)"]),
    ("r005_bad_phrase", ["rules.yaml:6:9: [R005] rules.0.all.0.phrase: phrase 'border<script>'"]),
    (
        "r005_bad_label",
        ["rules.yaml:7:9: [R005] rules.0.all.1.entity: unknown entity label(s) ['COUNTRY']"],
    ),
    (
        "r005_bad_list_item",
        [
            "lists/words.yaml:5:9: [R005] phrase '... seal' cannot start or end with '...' (used as @closing_words)"
        ],
    ),
    (
        "r006_unknown_list",
        ["rules.yaml:7:27: [R006] unknown list '@crossing_names' (known lists: none defined)"],
    ),
    ("r007_no_files", ["[R007] no rule files (*.yaml) found"]),
    (
        "r008_bad_fact",
        [
            "rules.yaml:6:9: [R008] rules.0.all.0.fact: fact 'casualties.count >= many': 'many' is not a number",
            "rules.yaml:11:9: [R008] rules.1.all.0.fact: fact 'casualties.who in [soldier, alien]': 'alien' is not a known value",
        ],
    ),
    (
        "r009_failing_example",
        [
            "rules.yaml:10:11: [R009] rule T-1 example match[1] did not match: 'The ministry sealed the frontier.'",
            "rules.yaml:12:11: [R009] rule T-1 example no_match[0] matched, but must not",
        ],
    ),
    (
        "r010_duplicate_list",
        ["lists/b.yaml:4:3: [R010] duplicate list name 'border_words' (also at lists/a.yaml:2)"],
    ),
]


def checked_problems(nlp: Language, directory: Path) -> list[str]:
    with pytest.raises(RuleError) as info:
        checked_detector(Settings(), directory)
    return [str(p).replace(f"{directory}/", "") for p in info.value.problems]


@pytest.mark.parametrize(("name", "expected"), ERROR_TABLE, ids=[n for n, _ in ERROR_TABLE])
def test_every_error_code_is_located(nlp: Language, name: str, expected: list[str]) -> None:
    directory = ERRORS / name
    found = checked_problems(nlp, directory)
    assert len(found) == len(expected), found
    for line, want in zip(found, expected, strict=True):
        assert line.startswith(want), (line, want)


def test_error_codes_table_covers_every_fixture() -> None:
    assert sorted(n for n, _ in ERROR_TABLE) == sorted(p.name for p in ERRORS.iterdir())
    assert {f"R{i:03d}" for i in range(1, 11)} <= {
        w.split("[")[1][:4] for _, ws in ERROR_TABLE for w in ws if "[" in w
    }


def test_all_problems_of_all_files_are_reported_together(tmp_path: Path) -> None:
    for name in ("r002_duplicate_key", "r003_unknown_key", "r005_bad_phrase"):
        shutil.copy(ERRORS / name / "rules.yaml", tmp_path / f"{name}.yaml")
    codes = sorted(p.split("[")[1][:4] for p in problems(tmp_path))
    assert codes == ["R002", "R003", "R005"]


def test_named_lists_expand_everywhere(tmp_path: Path) -> None:
    (tmp_path / "lists").mkdir()
    write(
        tmp_path / "lists",
        "l.yaml",
        """\
lists:
  shut_words: {items: [close*, seal*]}
  victims: {items: [soldier, police]}
  neighbours: {items: [TUR, GRC]}
  cue_threat: {items: [ponder]}
""",
    )
    write(
        tmp_path,
        "r.yaml",
        """\
rules:
  - id: T-1
    title: t
    category: border_closure
    cues: {threat: ["@cue_threat", mull]}
    all:
      - phrase: ["@shut_words", bar]
      - entity: [GPE]
        in: ["@neighbours"]
      - fact: "casualties.who in [@victims, border_guard]"
""",
    )
    ruleset = load_rules([tmp_path])
    rule = ruleset.rules[0]
    assert rule.all_[0].phrase == ["close*", "seal*", "bar"]
    assert rule.all_[1].in_ == ["TUR", "GRC"]
    assert rule.all_[2].fact == ["casualties.who in [soldier, police, border_guard]"]
    assert ruleset.cues[CueKind.threat] == frozenset({"ponder"})
    assert ruleset.cues_for(rule)[CueKind.threat] == frozenset({"ponder", "mull"})


def test_list_and_gazetteer_edits_change_the_version(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD)
    (tmp_path / "lists").mkdir()
    (tmp_path / "gazetteers").mkdir()
    v1 = load_rules([tmp_path]).version
    write(tmp_path / "lists", "l.yaml", "lists:\n  x: {items: [a]}\n")
    v2 = load_rules([tmp_path]).version
    write(tmp_path / "gazetteers", "countries.yaml", "aliases: {}\n")
    v3 = load_rules([tmp_path]).version
    assert len({v1, v2, v3}) == 3


def test_schema_files_are_up_to_date() -> None:
    """rules/schema.json, rules/lists/schema.json and rules/languages/schema.json are
    generated; regenerate with `borderwatch rules schema`."""
    assert (RULES / "schema.json").read_text(encoding="utf-8") == schema_text()
    for relative, text in schema_texts().items():
        assert (RULES / relative).read_text(encoding="utf-8") == text, relative


def test_schema_validates_what_the_models_validate() -> None:
    schema = json.loads(schema_text())
    rule = schema["$defs"]["Rule"]
    assert rule["additionalProperties"] is False
    assert {"all", "any", "none", "within", "lead", "accept", "sources", "languages"} <= set(
        rule["properties"]
    )
    assert schema["$defs"]["Condition"]["properties"]["in"]
    assert set(rule["properties"]["category"]["enum"]) == set(RULE_CATEGORIES)
