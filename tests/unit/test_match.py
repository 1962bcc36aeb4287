from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from spacy.language import Language

from borderwatch.core.models import Article
from borderwatch.core.settings import Settings
from borderwatch.streams.detect import Detector
from borderwatch.streams.examples import checked_detector, run_examples
from borderwatch.streams.rules.load import load_rules
from tests.support.fixtures import RULES

SHIPPED = load_rules([RULES])


@pytest.mark.parametrize("rule_id", [r.id for r in SHIPPED.rules])
def test_shipped_rule_examples(detector: Detector, rule_id: str) -> None:
    """Each shipped rule's own examples pass through the examples runner."""
    results = run_examples(detector, [rule_id])
    assert results, f"{rule_id} has no examples"
    assert [r for r in results if not r.ok] == []


def _detector(nlp: Language, tmp_path: Path, body: str) -> Detector:
    (tmp_path / "r.yaml").write_text("rules:\n" + body, encoding="utf-8")
    return checked_detector(Settings(), tmp_path, examples=False)


def test_phrases_match_lemmas_wildcards_and_gaps(nlp: Language, tmp_path: Path) -> None:
    det = _detector(
        nlp,
        tmp_path,
        """\
  - id: T-1
    title: t
    category: border_closure
    all:
      - phrase: ["close ... border"]
      - phrase: ["seal*"]
""",
    )
    assert det.analyse(Article(id="1", text="They closed the northern border and sealed it.")).hits
    assert det.analyse(Article(id="2", text="CLOSES THE BORDER, SEALING roads.")).hits
    # The two conditions must hold in the same sentence by default.
    assert not det.analyse(Article(id="3", text="They closed the border. Police sealed it.")).hits
    # A gap is bounded: far-apart words do not make a phrase.
    far = "They closed one two three four five six seven the border and sealed it."
    assert not det.analyse(Article(id="4", text=far)).hits


def test_none_block_and_entity_condition(nlp: Language, tmp_path: Path) -> None:
    det = _detector(
        nlp,
        tmp_path,
        """\
  - id: T-2
    title: t
    category: border_opening
    all:
      - phrase: ["open* ... border*"]
      - entity: [GPE]
    none:
      - phrase: ["tourist*"]
""",
    )
    assert det.analyse(Article(id="1", text="Hungary opened its borders on Monday.")).hits
    assert not det.analyse(Article(id="2", text="They opened the borders on Monday.")).hits
    assert not det.analyse(Article(id="3", text="Greece opened its borders to tourists.")).hits


def test_article_scope_and_evidence_offsets(nlp: Language, tmp_path: Path) -> None:
    det = _detector(
        nlp,
        tmp_path,
        """\
  - id: T-3
    title: t
    category: troop_casualties
    scope: article
    all:
      - phrase: [soldier*]
      - phrase: [kill*]
""",
    )
    hits = det.analyse(Article(id="1", text="Soldiers patrolled. Two were killed at dawn.")).hits
    assert [h.rule.id for h in hits] == ["T-3"]


def test_evidence_spans_point_into_the_sentence(detector: Detector) -> None:
    text = "Quiet day.  Border guards opened fire on migrants crossing the river into Greece."
    (alert,) = [
        a for a in detector.alerts(Article(id="x", text=text)) if a.category == "border_shooting"
    ]
    sentence = alert.evidence.sentence
    assert sentence.startswith("Border guards opened fire")
    assert alert.evidence.spans
    for span in alert.evidence.spans:
        assert sentence[span.start : span.end] == span.text


def test_one_alert_per_category_with_stable_ids(detector: Detector) -> None:
    text = (
        "Turkey opened its border to refugees on Friday. "
        "Officials said guards would no longer stop migrants from crossing the border."
    )
    article = Article(id="same", text=text)
    first = detector.alerts(article)
    again = detector.alerts(article)
    assert [a.category for a in first] == ["border_opening"]
    assert [a.alert_id for a in first] == [a.alert_id for a in again]
    assert first[0].facts.countries == ["TUR"]


def _rule(body: str, **top: str) -> str:
    head = "".join(f"    {k}: {v}\n" for k, v in top.items())
    return f"  - id: T\n    title: t\n    category: border_closure\n{head}{body}"


CLOSE = "    all:\n      - phrase: [close*]\n      - phrase: [border*]\n"
PUB_2020 = datetime(2020, 5, 1, tzinfo=UTC)

# (case, rule YAML, article text, article fields, expected to match)
CONDITION_TABLE: list[tuple[str, str, str, dict[str, Any], bool]] = [
    (
        "phrase lemma",
        _rule("    all:\n      - phrase: [close ... border]\n"),
        "They closed the northern border.",
        {},
        True,
    ),
    (
        "phrase lemma miss",
        _rule("    all:\n      - phrase: [close ... border]\n"),
        "They guarded the northern border.",
        {},
        False,
    ),
    (
        "phrase prefix",
        _rule("    all:\n      - phrase: [seal*]\n"),
        "SEALING of roads began.",
        {},
        True,
    ),
    (
        "phrase exact form",
        _rule("    all:\n      - phrase: [=closer]\n"),
        "They live close to it.",
        {},
        False,
    ),
    (
        "phrase exact form hit",
        _rule("    all:\n      - phrase: [=closer]\n"),
        "They moved closer to it.",
        {},
        True,
    ),
    (
        "phrase gap bounded",
        _rule("    all:\n      - phrase: [close ... border]\n"),
        "They closed one two three four five six the border.",
        {},
        False,
    ),
    (
        "entity label",
        _rule("    all:\n      - phrase: [close*]\n      - entity: [GPE]\n"),
        "Hungary closed the road.",
        {},
        True,
    ),
    (
        "entity label miss",
        _rule("    all:\n      - phrase: [close*]\n      - entity: [GPE]\n"),
        "They closed the road.",
        {},
        False,
    ),
    (
        "entity value",
        _rule(
            "    all:\n      - phrase: [close*]\n      - entity: [GPE, NORP]\n        in: [TUR, SYR]\n"
        ),
        "Turkey closed the road.",
        {},
        True,
    ),
    (
        "entity demonym value",
        _rule(
            "    all:\n      - phrase: [close*]\n      - entity: [GPE, NORP]\n        in: [TUR, SYR]\n"
        ),
        "Syrian officials closed the road.",
        {},
        True,
    ),
    (
        "entity value miss",
        _rule(
            "    all:\n      - phrase: [close*]\n      - entity: [GPE, NORP]\n        in: [TUR, SYR]\n"
        ),
        "Greece closed the road.",
        {},
        False,
    ),
    (
        "fact count",
        _rule("    all:\n      - fact: 'casualties.count >= 10'\n"),
        "At least 33 soldiers were killed in the attack.",
        {},
        True,
    ),
    (
        "fact count miss",
        _rule("    all:\n      - fact: 'casualties.count >= 10'\n"),
        "Two soldiers were killed in the attack.",
        {},
        False,
    ),
    (
        "fact who",
        _rule(
            "    all:\n      - fact: ['casualties.who in [soldier, border_guard]', 'casualties.outcome == killed']\n"
        ),
        "Two soldiers were killed in the attack.",
        {},
        True,
    ),
    (
        "fact who miss",
        _rule("    all:\n      - fact: 'casualties.who in [soldier, border_guard]'\n"),
        "Guards killed three migrants at the fence.",
        {},
        False,
    ),
    (
        "fact perpetrator",
        _rule("    all:\n      - fact: 'casualties.by in [border_guard]'\n"),
        "Guards killed three migrants at the fence.",
        {},
        True,
    ),
    (
        "fact nationality",
        _rule("    all:\n      - fact: 'casualties.nationality == TUR'\n"),
        "33 Turkish soldiers were killed.",
        {},
        True,
    ),
    (
        "fact nationality miss",
        _rule("    all:\n      - fact: 'casualties.nationality == TUR'\n"),
        "33 Greek soldiers were killed.",
        {},
        False,
    ),
    (
        "fact crossing",
        _rule("    all:\n      - phrase: [close*]\n      - fact: 'crossings in [rafah]'\n"),
        "Egypt closed the Rafah crossing.",
        {},
        True,
    ),
    (
        "entity crossing label",
        _rule(
            "    all:\n      - phrase: [close*]\n      - entity: [CROSSING]\n        in: [kuznica]\n"
        ),
        "Poland closed Kuznica on Monday.",
        {},
        True,
    ),
    (
        "entity region by country",
        _rule("    all:\n      - phrase: [close*]\n      - entity: [REGION]\n        in: [SYR]\n"),
        "Rebels closed roads in Idlib.",
        {},
        True,
    ),
    (
        "fact countries",
        _rule("    all:\n      - phrase: [close*]\n      - fact: 'countries in [GRC]'\n"),
        "Greece closed the road.",
        {},
        True,
    ),
    (
        "fact countries not in",
        _rule("    all:\n      - phrase: [close*]\n      - fact: 'countries not in [GRC]'\n"),
        "Greece closed the road.",
        {},
        False,
    ),
    ("scope sentence", _rule(CLOSE), "They closed it. The border is long.", {}, False),
    (
        "scope article",
        _rule(CLOSE, scope="article"),
        "They closed it. The border is long.",
        {},
        True,
    ),
    (
        "within tokens across sentences",
        _rule(CLOSE, within="8"),
        "They closed it. The border is long.",
        {},
        True,
    ),
    (
        "within tokens too far",
        _rule(CLOSE, within="4"),
        "They closed it today, as planned. The border is long.",
        {},
        False,
    ),
    (
        "none block",
        _rule(CLOSE + "    none:\n      - phrase: [shop*]\n"),
        "They closed the border shop.",
        {},
        False,
    ),
    (
        "lead keeps the headline",
        _rule(CLOSE, lead="1"),
        "Quiet day. Chad closed the border.",
        {"title": "Chad closed the border"},
        True,
    ),
    (
        "lead drops later sentences",
        _rule(CLOSE, lead="1"),
        "Quiet day. Calm night. Chad closed the border.",
        {"title": "News"},
        False,
    ),
    ("negation", _rule(CLOSE), "Chad did not close the border.", {}, False),
    (
        "negation accepted",
        _rule(CLOSE, accept="[negated]"),
        "Chad did not close the border.",
        {},
        True,
    ),
    (
        "negation inside the phrase",
        _rule("    all:\n      - phrase: [cannot take in]\n      - phrase: [refugee*]\n"),
        "Chad cannot take in more refugees.",
        {},
        True,
    ),
    ("denial", _rule(CLOSE), "The ministry denied that it had closed the border.", {}, False),
    ("modal", _rule(CLOSE), "Chad could close the border next week.", {}, False),
    (
        "reported would is not a hedge",
        _rule(CLOSE),
        "Chad said it would close the border on Monday.",
        {},
        True,
    ),
    ("threat", _rule(CLOSE), "Chad threatened to close the border.", {}, False),
    (
        "threat accepted",
        _rule(CLOSE, accept="[hedged]"),
        "Chad threatened to close the border.",
        {},
        True,
    ),
    (
        "pressure as subject",
        _rule(CLOSE),
        "Pressure mounted for Chad to close the border.",
        {},
        False,
    ),
    ("conditional", _rule(CLOSE), "If fighting spreads, Chad closes the border.", {}, False),
    (
        "historical year",
        _rule(CLOSE),
        "Chad closed the border in 2015.",
        {"published": PUB_2020},
        False,
    ),
    (
        "historical accepted",
        _rule(CLOSE, accept="[historical]"),
        "Chad closed the border in 2015.",
        {"published": PUB_2020},
        True,
    ),
    (
        "current year is news",
        _rule(CLOSE),
        "Chad closed the border in May 2020.",
        {"published": PUB_2020},
        True,
    ),
    (
        "cue list overridden per rule",
        _rule(CLOSE, cues="{threat: [ponder]}"),
        "Chad threatened to close the border.",
        {},
        True,
    ),
    (
        "overridden cue applies",
        _rule(CLOSE, cues="{threat: [ponder]}"),
        "Chad pondered closing the border.",
        {},
        False,
    ),
    (
        "source filter",
        _rule(CLOSE, sources="['Reuters*']"),
        "Chad closed the border.",
        {"source": "Reuters World"},
        True,
    ),
    (
        "source filter miss",
        _rule(CLOSE, sources="['Reuters*']"),
        "Chad closed the border.",
        {"source": "Some Blog"},
        False,
    ),
    (
        "source excluded",
        _rule(CLOSE, exclude_sources="['*Satire*']"),
        "Chad closed the border.",
        {"source": "Daily Satire"},
        False,
    ),
    ("language default en", _rule(CLOSE, languages="[en]"), "Chad closed the border.", {}, True),
    (
        "language filter miss",
        _rule(CLOSE, languages="[fr]"),
        "Chad closed the border.",
        {"language": "en"},
        False,
    ),
    (
        "language filter hit",
        _rule(CLOSE, languages="[en, fr]"),
        "Chad closed the border.",
        {"language": "en"},
        True,
    ),
]

CUES = """\
lists:
  cue_denial: {items: [deny]}
  cue_modal: {items: [could, would]}
  cue_reporting: {items: [say]}
  cue_threat: {items: [threaten, pressure]}
  cue_conditional: {items: [if]}
  cue_historical: {items: [decade]}
"""


@pytest.mark.parametrize(
    ("case", "rule", "text", "fields", "expected"),
    CONDITION_TABLE,
    ids=[row[0] for row in CONDITION_TABLE],
)
def test_condition_kinds(
    nlp: Language, tmp_path: Path, case: str, rule: str, text: str, fields: dict[str, Any],
    expected: bool,
) -> None:  # fmt: skip
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "cues.yaml").write_text(CUES, encoding="utf-8")
    shutil.copytree(RULES / "gazetteers", tmp_path / "gazetteers")
    det = _detector(nlp, tmp_path, rule)
    hits = det.analyse(Article(id="a", text=text, **fields)).hits
    assert bool(hits) is expected, case
    for hit in hits:
        for span in hit.evidence.spans:
            assert hit.evidence.sentence[span.start : span.end] == span.text


def test_window_evidence_joins_the_sentences(nlp: Language, tmp_path: Path) -> None:
    det = _detector(nlp, tmp_path, _rule(CLOSE, within="8"))
    (hit,) = det.analyse(
        Article(id="a", text="Noise here. They closed it. The border is long.")
    ).hits
    assert hit.evidence.sentence == "They closed it. … The border is long."
    assert {s.text for s in hit.evidence.spans} == {"closed", "border"}
