"""Facts an alert carries: which countries, which border or crossing, how many people were hurt.

Pure functions over a parsed ``Doc`` (after the gazetteer ruler) so the worker, ``eval``, the
rules and the tests share them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from spacy.language import Language
from spacy.tokens import Doc, Span

from borderwatch.core.models import Border, BorderAction, Casualty, Facts, Shooting
from borderwatch.streams.modality import ModalityJudge, clause_dates, reference_year
from borderwatch.streams.reading.casualties import CasualtyReader
from borderwatch.streams.reading.frames import (
    Reading,
    background,
    border_actions,
    retrospective,
    shootings,
)
from borderwatch.streams.reading.gazetteer import CROSSING, REGION, Gazetteer
from borderwatch.streams.rules.model import CueKind

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC", CROSSING, REGION})
BORDER_WORDS = frozenset({"border", "frontier", "crossing", "boundary", "borderline"})
BORDER_REACH = 12  # tokens either side of a border word where its countries are named
MAX_PLACES = 20


@dataclass(frozen=True)
class DocFacts:
    """The facts of one document, and where in it each was found (rules test them in place)."""

    facts: Facts
    casualties: list[tuple[Casualty, Span]]
    countries: list[tuple[str, Span]]
    shootings: list[tuple[Shooting, Span]] = field(default_factory=list)
    border_actions: list[tuple[BorderAction, Span]] = field(default_factory=list)


def country_mentions(doc: Doc, gazetteer: Gazetteer) -> list[tuple[str, Span]]:
    return [(code, ent) for ent in doc.ents for code in gazetteer.countries_of(ent)]


def _pair_near(doc: Doc, gazetteer: Gazetteer) -> tuple[list[str], Span] | None:
    """The countries named around the first border word that has any ("the Greek-Turkish
    border", "its border with Sudan"); two when the text names two."""
    single: tuple[list[str], Span] | None = None
    for token in doc:
        if token.lemma_.lower() not in BORDER_WORDS:
            continue
        sent = token.sent
        near = [
            (abs(ent.start - token.i), ent.start, code)
            for ent in sent.ents
            if abs(ent.start - token.i) <= BORDER_REACH
            for code in gazetteer.countries_of(ent)
        ]
        codes: list[str] = []
        for _, _, code in sorted(near)[:4]:
            if code not in codes:
                codes.append(code)
        if len(codes) >= 2:
            first_two = sorted(codes[:2], key=lambda c: min(s for _, s, k in near if k == c))
            return first_two, sent
        if codes and single is None:
            single = (codes, sent)
    return single


def border_of(doc: Doc, gazetteer: Gazetteer) -> Border | None:
    crossings = [e for e in doc.ents if e.label_ == CROSSING and e.ent_id_ in gazetteer.crossings]
    regions = [gazetteer.regions[e.ent_id_] for e in doc.ents
               if e.label_ == REGION and e.ent_id_ in gazetteer.regions]  # fmt: skip
    if crossings:
        crossing = gazetteer.crossings[crossings[0].ent_id_]
        region = next((r.id for r in regions if r.country in crossing.countries), None)
        return Border(
            countries=list(crossing.countries),
            crossing=crossing.id,
            name=crossing.name,
            region=region,
            lat=crossing.lat,
            lon=crossing.lon,
        )
    found = _pair_near(doc, gazetteer)
    if found is None:
        return None
    codes, _ = found
    region = next((r.id for r in regions if r.country in codes), None)
    return Border(countries=codes, region=region)


class FactReader:
    """Reads every fact of a document; built once per rule set (the gazetteer is rule data)."""

    def __init__(
        self,
        nlp: Language,
        gazetteer: Gazetteer,
        cues: Mapping[CueKind, frozenset[str]] | None = None,
    ) -> None:
        self.gazetteer = gazetteer
        self.casualty_reader = CasualtyReader(nlp, gazetteer.country)
        self.cues = dict(cues or {})

    def extract(self, doc: Doc, published: datetime | None = None) -> DocFacts:
        mentions = country_mentions(doc, self.gazetteer)
        judge = ModalityJudge(
            self.cues,
            reference_year(doc, published.year if published else None),
            clause_dates(doc),
            ref_month=published.month if published else None,
        )
        reading = Reading(self.gazetteer, judge, retrospective(doc))
        records = self.casualty_reader.records(
            doc,
            lambda span: "historical" if reading.retrospective or background(span.root) else "done",
        )
        shots = shootings(doc, reading)
        actions = border_actions(doc, reading)
        places: dict[str, None] = {}
        crossings: dict[str, None] = {}
        regions: dict[str, None] = {}
        for ent in doc.ents:
            if ent.label_ in PLACE_LABELS:
                places.setdefault(ent.text.strip(), None)
            if ent.label_ == CROSSING and ent.ent_id_:
                crossings.setdefault(ent.ent_id_, None)
            if ent.label_ == REGION and ent.ent_id_:
                regions.setdefault(ent.ent_id_, None)
        facts = Facts(
            countries=list(dict.fromkeys(code for code, _ in mentions)),
            places=list(places)[:MAX_PLACES],
            crossings=list(crossings),
            regions=list(regions),
            border=border_of(doc, self.gazetteer),
            casualties=[c for c, _ in records],
            shootings=[f for f, _ in shots],
            border_actions=[f for f, _ in actions],
        )
        return DocFacts(facts, records, mentions, shots, actions)
