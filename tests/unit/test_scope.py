"""Sentence-scoped reading: the same alerts, facts and evidence as reading every sentence,
while parsing only what rules and facts need."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from borderwatch.connectors.files import Archive
from borderwatch.core.models import Article
from borderwatch.streams.detect import Detector
from borderwatch.streams.reading.nlp import assemble, sentence_starts
from borderwatch.streams.rules.load import load_rules
from borderwatch.streams.scope import StageClock, chunks
from tests.support.fixtures import ROOT, RULES
from tests.support.loadgen import generate, realistic
from tests.support.scoping import differences

SHIPPED = load_rules([RULES])
SAMPLES = [a for a in Archive([ROOT / "samples" / "archive.jsonl"]).read()
           if isinstance(a, Article)]  # fmt: skip
EXAMPLES = [
    Article(id=f"{r.id}-{i}", text=e if isinstance(e, str) else e.text)
    for r in SHIPPED.rules
    for i, e in enumerate((*r.examples.match, *r.examples.no_match))
]
# Our own sentences around the rules' words: news, background, pronouns, years, places.
PIECES = [
    "Turkish border guards opened fire on migrants near Kapikule, killing two.",
    "They had tried to cross the river at night.",
    "Greece sealed its frontier with Turkey on Tuesday.",
    "Three Pakistani soldiers were killed when their post came under attack.",
    "In 2015 the crossing was closed to all traffic.",
    "Officials denied that the border had been opened to refugees.",
    "Police fired tear gas to push back hundreds of migrants at the Rafah crossing.",
    "The guards let them through after midnight.",
    "Thousands of refugees streamed into Poland, officials said.",
    "Soldiers who served at the border received medals.",
    "Migrants at the fence were hit with rubber bullets, witnesses said.",
    "Dozens of border guards, several with gunshot wounds, fled across the river.",
    "The central bank raised its key rate on Monday.",
    "Farmers praised the harvest despite the weather.",
    "The football club published quarterly results.",
    "Chad opened its eastern border to people fleeing Sudan.",
    "The minister welcomed the budget in the capital.",
    "Exporters said tariffs at the border would push up prices.",
]


def test_samples_rule_examples_and_generated_mixes(detector: Detector) -> None:
    articles = [*SAMPLES, *EXAMPLES, *realistic(120, seed=21), *generate(60, seed=22)]
    assert differences(detector, articles) == []


@settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=14),
    st.lists(st.booleans(), min_size=14, max_size=14),
    st.booleans(),
)
def test_generated_texts(
    detector: Detector, pieces: list[str], breaks: list[bool], dated: bool
) -> None:
    """Rule sentences far apart and side by side, across paragraphs, after plain filler."""
    filler = [s for a in generate(1, relevant_share=0.0, seed=len(pieces)) for s in
              a.text.split(". ")[:6]]  # fmt: skip
    parts = [*pieces[:1], *filler[:3], *pieces[1:]]
    text = "".join(p.rstrip(".") + "." + ("\n\n" if b else " ")
                   for p, b in zip(parts, breaks * 2, strict=False))  # fmt: skip
    article = Article(id="gen", title=pieces[0].split(",")[0], text=text,
                      published="2024-05-01T00:00:00Z" if dated else None)  # fmt: skip
    assert differences(detector, [article]) == []


def test_words_paragraphs_apart_are_not_parsed(detector: Detector) -> None:
    """A border word and a casualty word far apart make no candidate sentence: the article
    passes the article prefilter, yet spaCy never sees it."""
    plain = generate(1, relevant_share=0.0, seed=3)[0].text
    text = f"Rain fell on the border town.\n\n{plain}\n\nTwo people died of old age there."
    article = Article(id="apart", title="Weather", text=text)
    assert detector.prefilter.passes(article.body)
    assert detector.read_scoped([article]) == [None]


def test_parses_a_tenth_of_a_relevant_article(detector: Detector) -> None:
    clock = StageClock()
    detector.clock = clock
    try:
        detector.alerts_many(generate(40, relevant_share=1.0, seed=9))
    finally:
        detector.clock = None
    assert clock.passing == 40
    assert clock.parsed * 10 < clock.sentences


def test_sentence_starts_follow_full_stops_and_blank_lines(detector: Detector) -> None:
    doc = detector.nlp.make_doc('Guards fired.\n\nTurkey "closed it." Then U.S. officials left')
    starts = sentence_starts(doc)
    assert [doc[i].text for i in starts] == ["Guards", "Turkey", "Then"]


def test_assembled_document_keeps_sentences_and_places(detector: Detector) -> None:
    text = ("Greece closed the border. The bank met. Poland and Chad talked. Rain fell. "
            "Turkey opened the Kapikule crossing.")  # fmt: skip
    doc = detector.ruler(detector.nlp.make_doc(text))
    starts = sentence_starts(doc)
    ranges = chunks({0, 4}, starts, len(doc))
    assert len(ranges) == 2  # sentences 0-1 and 3-4, with one of context each
    parts = [(a, detector.ruler(detector.nlp(doc[a:b].as_doc()))) for a, b in ranges]
    compact, placed = assemble(doc, starts, parts)
    assert len(list(compact.sents)) == len(starts)
    assert [e.text for e in compact.ents if e.label_ in ("GPE", "CROSSING")] == [
        "Greece", "Poland", "Chad", "Turkey", "Kapikule"]  # fmt: skip
    assert [s for s, _, _ in placed] == [a for a, _ in ranges]
    assert len(compact) < len(doc)


def test_gazetteer_phrase_matchers_agree_with_the_span_ruler(detector: Detector) -> None:
    ruler = detector.gazetteer.ruler(detector.nlp)
    texts = [a.body for a in (*SAMPLES, *EXAMPLES, *realistic(40, seed=4))]
    for doc in detector.nlp.pipe(texts):
        want = [(e.start, e.end, e.label_, e.ent_id_) for e in ruler(doc.copy()).ents]
        got = [(e.start, e.end, e.label_, e.ent_id_) for e in detector.ruler(doc.copy()).ents]
        assert got == want, doc.text[:80]
