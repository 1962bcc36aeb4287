"""Facts: countries, crossings, regions, the border, and casualty records, on our own sentences."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from borderwatch.core.errors import RuleError
from borderwatch.core.models import Article, Facts
from borderwatch.streams.detect import Detector
from borderwatch.streams.reading.gazetteer import Gazetteer
from tests.support.fixtures import RULES


def facts(detector: Detector, text: str) -> Facts:
    return detector.analyse(Article(id="f", text=text)).facts


def casualties(detector: Detector, text: str) -> list[dict[str, Any]]:
    return [
        c.model_dump(exclude_none=True, exclude={"sentence", "by_text"})
        for c in facts(detector, text).casualties
    ]


# (sentence, expected casualty records; each record lists only the fields it asserts)
CASUALTY_TABLE: list[tuple[str, list[dict[str, Any]]]] = [
    # digits, passive voice, lower bound, nationality
    ("At least 33 Turkish soldiers were killed in an air strike.",
     [{"count": 33, "lower_bound": True, "who": "soldier", "outcome": "killed", "nationality": "TUR"}]),
    # number words, active voice, perpetrator
    ("Border guards shot and wounded three migrants near the fence.",
     [{"count": 3, "who": "migrant", "outcome": "wounded", "by": "border_guard"}]),
    # "a child" is one
    ("A child drowned when the dinghy overturned.", [{"count": 1, "who": "child", "outcome": "drowned"}]),
    # vague numbers are lower bounds
    ("Dozens of refugees were injured in the crush at the gate.",
     [{"count": 24, "lower_bound": True, "who": "refugee", "outcome": "injured"}]),
    ("Hundreds of Eritrean migrants have been killed by guards.",
     [{"count": 200, "lower_bound": True, "who": "migrant", "nationality": "ERI", "by": "border_guard"}]),
    ("Hundreds of thousands of people died during the long war.",
     [{"count": 200000, "lower_bound": True, "who": "people", "outcome": "killed"}]),
    ("More than 50 people were killed.", [{"count": 50, "lower_bound": True, "who": "people"}]),
    # the toll
    ("The death toll rose to 41 on Sunday.", [{"count": 41, "outcome": "killed"}]),
    # "shot dead" is killed; a perpetrator through "gunfire from"
    ("Two villagers were shot dead by gunfire from Indian border guards.",
     [{"count": 2, "who": "civilian", "outcome": "killed", "by": "border_guard"}]),
    # two groups in one sentence, including children
    ("Police fired on the crowd, killing one woman and wounding four people, including a boy.",
     [{"count": 1, "who": "civilian", "outcome": "killed"},
      {"count": 4, "who": "people", "outcome": "wounded"},
      {"count": 1, "who": "child", "outcome": "wounded"}]),
    # "15 of them had gunshot wounds"
    ("Officials said 15 of the guards had gunshot wounds.",
     [{"count": 15, "who": "border_guard", "outcome": "wounded"}]),
    # a range is a lower bound
    ("Between 10 and 12 soldiers died in the ambush.", [{"who": "soldier", "outcome": "killed"}]),
    # demonym nouns are people with a nationality
    ("Eleven Syrians were killed at the frontier.",
     [{"count": 11, "who": "people", "nationality": "SYR", "outcome": "killed"}]),
    # intransitive and the missing
    ("One migrant disappeared in the river.", [{"count": 1, "who": "migrant", "outcome": "missing"}]),
    # nothing to count, nobody named
    ("The attack killed hopes of a truce.", []),
    # the auxiliary left out, a state after "left", a part named apart
    ("Officials said at least 4 people were killed and 9 wounded.",
     [{"count": 4, "outcome": "killed"}, {"count": 9, "who": "people", "outcome": "wounded"}]),
    ("The shelling killed 6 soldiers and left 11 injured.",
     [{"count": 6, "who": "soldier", "outcome": "killed"},
      {"count": 11, "who": "soldier", "outcome": "injured"}]),
    ("The ministry put the dead at 9, with dozens more injured.",
     [{"count": 24, "lower_bound": True, "outcome": "injured"}]),
    ("Armenia said one civilian had been killed and 12 people injured, among them 4 soldiers.",
     [{"count": 1, "who": "civilian"}, {"count": 12, "who": "people", "outcome": "injured"},
      {"count": 4, "who": "soldier", "outcome": "injured"}]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"), CASUALTY_TABLE, ids=[t[:40] for t, _ in CASUALTY_TABLE]
)
def test_casualty_patterns(detector: Detector, text: str, expected: list[dict[str, Any]]) -> None:
    got = casualties(detector, text)
    assert len(got) == len(expected), got
    for want, record in zip(expected, got, strict=True):
        assert {k: record.get(k) for k in want} == want, record


def test_partial_reports_of_the_same_victims_are_unified(detector: Detector) -> None:
    text = "An air strike killed Turkish soldiers. Officials said 33 soldiers were killed."
    (record,) = casualties(detector, text)
    assert (record["count"], record["who"], record["nationality"]) == (33, "soldier", "TUR")


def test_the_same_victims_twice_are_one_record(detector: Detector) -> None:
    text = (
        "Syrian strike kills 33 Turkish troops\n\n"
        "At least 33 Turkish soldiers were killed in Idlib on Thursday, officials said. "
        "Separately, 2 police officers were wounded."
    )
    got = casualties(detector, text)
    killed = [c for c in got if c["outcome"] == "killed"]
    assert len(killed) == 1 and killed[0]["count"] == 33 and killed[0]["who"] == "soldier"
    assert any(c["outcome"] == "wounded" and c["count"] == 2 for c in got)


def test_countries_from_names_demonyms_regions_and_crossings(detector: Detector) -> None:
    f = facts(detector, "Chad closed its frontier. Syrian families waited in Idlib near Kapikule.")
    # "Chad" is tagged PERSON by the small model; the gazetteer makes it a country.
    assert f.countries[:2] == ["TCD", "SYR"]
    assert {"TUR", "BGR"} <= set(f.countries)
    assert f.crossings == ["kapikule"] and f.regions == ["idlib"]


@pytest.mark.parametrize(
    ("text", "countries", "crossing"),
    [
        ("Police fired tear gas at the Kastanies border gate.", ["TUR", "GRC"], "pazarkule"),
        ("Trucks queued at the Rafah crossing on Monday.", ["EGY", "PSE"], "rafah"),
        ("Migrants gathered on the Greek-Turkish border.", ["GRC", "TUR"], None),
        ("Chad has sealed its long eastern border with Sudan.", ["TCD", "SDN"], None),
        ("Guards patrolled the border between Poland and Belarus.", ["POL", "BLR"], None),
    ],
)
def test_border_where(
    detector: Detector, text: str, countries: list[str], crossing: str | None
) -> None:
    border = facts(detector, text).border
    assert border is not None
    assert sorted(border.countries) == sorted(countries)
    assert border.crossing == crossing
    if crossing:
        assert border.lat is not None and border.lon is not None


def test_no_border_words_no_border(detector: Detector) -> None:
    assert facts(detector, "The bank in Ankara raised its rates.").border is None


def test_person_names_keep_their_label(detector: Detector) -> None:
    doc = detector.analyse(Article(id="p", text="Tina Turner sang in Paris.")).doc
    assert [e.label_ for e in doc.ents if e.text == "Tina Turner"] == ["PERSON"]


def test_shipped_gazetteer_size() -> None:
    gaz = Gazetteer.load(RULES / "gazetteers")
    assert len(gaz.crossings) >= 60
    assert all(len(c.countries) == 2 for c in gaz.crossings.values())
    assert {"kapikule", "bab_al_hawa", "rafah", "kerem_shalom", "kuznica", "wagah", "torkham",
            "chaman", "adre", "tarajal", "san_ysidro"} <= set(gaz.crossings)  # fmt: skip
    assert gaz.country("Syrians") == "SYR" and gaz.country("Türkiye") == "TUR"


def test_bad_gazetteer_is_a_located_error(tmp_path: Path) -> None:
    (tmp_path / "crossings.yaml").write_text(
        "crossings:\n  - {id: x, name: X, countries: [TUR, ZZZ], lat: 1, lon: 2}\n",
        encoding="utf-8",
    )
    with pytest.raises(RuleError) as info:
        Gazetteer.load(tmp_path)
    (problem,) = info.value.problems
    assert str(problem).startswith(f"{tmp_path / 'crossings.yaml'}:2:")
    assert "[R003]" in str(problem) and "ZZZ" in str(problem)
