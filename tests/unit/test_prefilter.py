"""The prefilter is safe by construction: the same alerts with it on and off."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.language import Language

from borderwatch.connectors.files import Archive
from borderwatch.core.models import Article
from borderwatch.core.settings import Settings
from borderwatch.streams.detect import Detector
from borderwatch.streams.examples import checked_detector
from borderwatch.streams.prefilter import Prefilter
from borderwatch.streams.rules.load import load_rules
from tests.support.fixtures import ROOT, RULES

SHIPPED = load_rules([RULES])
# Rule vocabulary in every inflection, mixed with news filler: texts near the rules' edges.
VOCAB = sorted(
    {w.strip("*=") for r in SHIPPED.rules for _, conds in r.blocks for c in conds
     for p in c.phrase or () for w in p.split() if w != "..." and not w.startswith("@")}
    | {w for items in SHIPPED.lists.values() for i in items for w in i.strip("*=").split()}
    | {"killed", "died", "wounded", "shot", "fled", "sealed", "closing", "reopened", "troops",
       "guards", "migrants", "Turkey", "Greece", "frontier", "border", "said", "on", "the", "at",
       "33", "two", "dozens", "crossing", "Kapikule", "Rafah", "were", "was", "not", "could"}
)  # fmt: skip
FILLER = ["The", "bank", "said", "on", "Monday", "that", "prices", "rose", "in", "the",
          "market", "and", "officials", "expect", "growth", "."]  # fmt: skip


def same(detector: Detector, articles: list[Article]) -> None:
    on = detector.alerts_many(articles, use_prefilter=True)
    off = detector.alerts_many(articles, use_prefilter=False)
    for article, a, b in zip(articles, on, off, strict=True):
        assert [x.model_dump(exclude={"created"}) for x in a] == [
            x.model_dump(exclude={"created"}) for x in b
        ], article.body


def test_samples_and_rule_examples(detector: Detector) -> None:
    articles = [a for a in Archive([ROOT / "samples" / "archive.jsonl"]).read()
                if isinstance(a, Article)]  # fmt: skip
    examples = [
        e if isinstance(e, str) else e.text
        for r in SHIPPED.rules for e in (*r.examples.match, *r.examples.no_match)
    ]  # fmt: skip
    articles += [Article(id=f"ex{i}", text=t) for i, t in enumerate(examples)]
    same(detector, articles)
    filtered = [a.id for a in articles if not detector.prefilter.passes(a.body)]
    assert "sample-010" in filtered  # plain news never reaches spaCy (007 says "open" and "Border")


@settings(
    max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.lists(st.lists(st.sampled_from(VOCAB + FILLER), min_size=3, max_size=25),
                min_size=1, max_size=4))  # fmt: skip
def test_generated_texts(detector: Detector, sentences: list[list[str]]) -> None:
    text = " ".join(" ".join(words) + "." for words in sentences)
    same(detector, [Article(id="gen", title=sentences[0][0], text=text)])


def test_rebuilt_with_the_rules(nlp: Language, tmp_path: Path) -> None:
    (tmp_path / "r.yaml").write_text(
        "rules:\n  - id: T\n    title: t\n    category: border_closure\n"
        "    all:\n      - phrase: [zeppelin*]\n", encoding="utf-8",
    )  # fmt: skip
    det = checked_detector(Settings(), tmp_path, examples=False)
    assert det.prefilter.passes("Zeppelins over the border") and not det.prefilter.passes(
        "Guards shot two migrants at the border."
    )
    entity_only = tmp_path / "e.yaml"
    entity_only.write_text(
        "rules:\n  - id: E\n    title: e\n    category: border_closure\n"
        "    all:\n      - entity: [GPE]\n", encoding="utf-8",
    )  # fmt: skip
    assert Prefilter(load_rules([tmp_path]).rules, nlp, det.gazetteer).passes_all
