"""The rule set version on every alert names everything the rules read: rule and list files,
gazetteers and language lexicons, so an edit to any of them is a new version."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from borderwatch.streams.rules.load import load_rules

RULES = Path(__file__).resolve().parents[2] / "rules"


@pytest.mark.parametrize("edited", ["languages/tr.yaml", "gazetteers", "lists/common.yaml"])
def test_an_edit_anywhere_in_the_rules_is_a_new_version(tmp_path: Path, edited: str) -> None:
    copy = tmp_path / "rules"
    shutil.copytree(RULES, copy)
    before = load_rules([copy]).version
    target = copy / edited
    if target.is_dir():
        target = sorted(target.glob("*.yaml"))[0]
    target.write_text(target.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert load_rules([copy]).version != before
    assert load_rules([RULES]).version == load_rules([RULES]).version
