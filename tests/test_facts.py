from __future__ import annotations

import pytest
from spacy.language import Language

from streams.facts import Gazetteer, extract_facts
from tests.conftest import RULES

GAZ = Gazetteer.load(RULES / "gazetteers")


@pytest.mark.parametrize(
    ("text", "count", "lower", "who", "outcome"),
    [
        (
            "At least 33 Turkish soldiers were killed in an air strike.",
            33,
            True,
            "soldier",
            "killed",
        ),
        ("Gunmen killed two Pakistani soldiers near the fence.", 2, False, "soldier", "killed"),
        ("Five border guards were wounded in the attack.", 5, False, "border_guard", "wounded"),
        ("Twelve migrants drowned off the coast.", 12, False, "migrant", "drowned"),
        ("Police said 1,200 refugees were injured.", 1200, False, "refugee", "injured"),
    ],
)
def test_casualty_counts(
    nlp: Language, text: str, count: int, lower: bool, who: str, outcome: str
) -> None:
    facts = extract_facts(nlp(text), GAZ)
    assert [(c.count, c.lower_bound, c.who, c.outcome) for c in facts.casualties] == [
        (count, lower, who, outcome)
    ]


def test_no_count_no_casualty(nlp: Language) -> None:
    assert extract_facts(nlp("Soldiers were killed in the raid."), GAZ).casualties == []


def test_countries_from_names_and_demonyms(nlp: Language) -> None:
    doc = nlp("Turkish guards stopped Syrians at the border with Greece, Turkey said.")
    assert extract_facts(doc, GAZ).countries == ["TUR", "SYR", "GRC"]


def test_gazetteer_lookups() -> None:
    assert GAZ.country("Türkiye") == "TUR"
    assert GAZ.country("the United Kingdom") == "GBR"
    assert GAZ.country("Bangladeshis") == "BGD"
    assert GAZ.country("Idlib") is None
    assert GAZ.country("Kurdish") is None
