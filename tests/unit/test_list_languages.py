"""A named list holds its words in every language: rules read its English items, and a
lexicon group that names ``@list`` reads the items of the lexicon's own language. The
sentences are our own."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from borderwatch.core.errors import RuleError
from borderwatch.core.models import Article
from borderwatch.core.settings import Settings
from borderwatch.streams import checked_detector
from borderwatch.streams.rules.load import load_rules

RULES = Path(__file__).resolve().parents[2] / "rules"
SENTENCE = "Ankara, Suriye ile olan hudut kapısını üç gün boyunca kapattı."


def rules_with(tmp_path: Path, tr_words: str, lexicon_group: str) -> Path:
    """A copy of the rules with a list of border words whose Turkish words are ``tr_words``,
    and a Turkish lexicon whose ``border`` group is ``lexicon_group``."""
    copy = tmp_path / "rules"
    shutil.copytree(RULES, copy)
    (copy / "lists" / "test.yaml").write_text(
        f"lists:\n  gate_words:\n    items: [gate*]\n    languages: {{tr: {tr_words}}}\n",
        encoding="utf-8",
    )
    lexicon = copy / "languages" / "tr.yaml"
    tr = re.sub(r"(?ms)^  border: \[.*?\]$", f"  border: {lexicon_group}",
                lexicon.read_text(encoding="utf-8"), count=1)  # fmt: skip
    lexicon.write_text(tr, encoding="utf-8")
    return copy


def test_a_lexicon_group_reads_the_list_s_words_in_its_language(tmp_path: Path) -> None:
    rules = rules_with(tmp_path, "[hudut]", '["@gate_words"]')
    assert load_rules([rules]).list_languages["gate_words"]["tr"] == ("hudut",)
    detector = checked_detector(Settings(), rules, examples=False)
    alerts = detector.alerts(Article(id="tr", text=SENTENCE, language="tr"))
    assert [a.category for a in alerts] == ["border_closure"]
    # Without the word in the list, the group has nothing to read the sentence with.
    bare = rules_with(tmp_path / "bare", "[sınır]", '["@gate_words"]')
    detector = checked_detector(Settings(), bare, examples=False)
    assert detector.alerts(Article(id="tr", text=SENTENCE, language="tr")) == []


def test_a_list_without_words_in_the_language_is_a_located_error(tmp_path: Path) -> None:
    rules = rules_with(tmp_path, "[hudut]", '[sınır, "@security_forces"]')
    with pytest.raises(RuleError) as caught:
        checked_detector(Settings(), rules, examples=False)
    (problem,) = caught.value.problems
    assert problem.code == "R006"
    lines = (rules / "languages" / "tr.yaml").read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if text.startswith("  border:"))
    assert str(problem.path).endswith("tr.yaml") and (problem.line, problem.col) == (line, 19)
    assert "@security_forces" in problem.message and "gate_words" in problem.message


def test_the_shipped_lexicons_read_border_words_from_the_shared_list() -> None:
    ruleset = load_rules([RULES])
    by_language = ruleset.list_languages["border_words"]
    assert set(by_language) == {"tr", "el", "es", "fr", "pl", "ar", "ru"}
    for language, words in by_language.items():
        text = (RULES / "languages" / f"{language}.yaml").read_text(encoding="utf-8")
        assert '"@border_words"' in text, language
        assert words
