from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language

from borderwatch.models import Article
from streams.detect import Detector
from streams.ruleset import load_rules
from tests.conftest import RULES

SHIPPED = load_rules([RULES])
EXAMPLES = [
    (rule.id, rule.category, text, expected)
    for rule in SHIPPED.rules
    for expected, texts in ((True, rule.examples.match), (False, rule.examples.no_match))
    for text in texts
]


@pytest.mark.parametrize(("rule_id", "category", "text", "expected"), EXAMPLES)
def test_rule_examples(
    detector: Detector, rule_id: str, category: str, text: str, expected: bool
) -> None:
    """Each shipped rule's own examples: the rule fires on 'match' texts and not on others."""
    hits = detector.analyse(Article(id="ex", text=text)).hits
    assert (rule_id in {h.rule.id for h in hits}) is expected


def _detector(nlp: Language, tmp_path: Path, body: str) -> Detector:
    (tmp_path / "r.yaml").write_text("rules:\n" + body, encoding="utf-8")
    return Detector.build(nlp, load_rules([tmp_path]), tmp_path)


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
