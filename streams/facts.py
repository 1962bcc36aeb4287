"""Facts an alert carries: which countries, which places, how many people were hurt.

Pure functions over a parsed ``Doc`` so the worker, ``eval`` and the tests share them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pycountry
import yaml
from spacy.tokens import Doc, Span, Token

from borderwatch.models import Casualty, Facts

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
COUNTRY_LABELS = frozenset({"GPE", "NORP", "LOC"})

OUTCOMES = {
    "kill": "killed",
    "die": "killed",
    "wound": "wounded",
    "injure": "injured",
    "shoot": "shot",
    "drown": "drowned",
}
WHO = {
    "soldier": "soldier",
    "troop": "soldier",
    "serviceman": "soldier",
    "servicemen": "soldier",
    "guard": "border_guard",
    "guardsman": "border_guard",
    "policeman": "police",
    "officer": "police",
    "police": "police",
    "personnel": "security_personnel",
    "civilian": "civilian",
    "migrant": "migrant",
    "refugee": "refugee",
    "child": "child",
    "children": "child",
    "villager": "civilian",
    "people": "people",
    "person": "people",
    "man": "civilian",
    "woman": "civilian",
    "asylum": "asylum_seeker",
}
NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "hundred": 100, "dozen": 12, "dozens": 24, "scores": 40, "hundreds": 200,
    "thousands": 2000,
}  # fmt: skip
LOWER_BOUND_CUES = frozenset({"least", "more", "over", "dozens", "hundreds", "thousands", "scores"})


@dataclass(frozen=True)
class Gazetteer:
    """Country names and demonyms pycountry does not know; data in ``rules/gazetteers``."""

    aliases: dict[str, str] = field(default_factory=dict)
    demonyms: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def load(cls, directory: Path) -> Gazetteer:
        path = directory / "countries.yaml"
        if not path.is_file():
            return cls()
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return cls(
            aliases={k.lower(): v for k, v in (data.get("aliases") or {}).items()},
            demonyms={k.lower(): v for k, v in (data.get("demonyms") or {}).items()},
        )

    def country(self, name: str) -> str | None:
        key = name.strip().removeprefix("the ").strip().lower()
        key = key.removesuffix("'s").removesuffix("’s")
        if key in self.demonyms:
            return self.demonyms[key]
        if key in self.aliases:
            return self.aliases[key]
        return _pycountry_alpha3(key)


@lru_cache(maxsize=4096)
def _pycountry_alpha3(name: str) -> str | None:
    if len(name) < 4:  # "US", "UK" and 3-letter codes are aliases; avoid "Al" -> ALB
        return None
    try:
        return str(pycountry.countries.lookup(name).alpha_3)
    except LookupError:
        return None


def _number(token: Token) -> tuple[int, bool] | None:
    text = token.text.lower().replace(",", "")
    if text.isdigit():
        value = int(text)
    elif text in NUMBER_WORDS:
        value = NUMBER_WORDS[text]
    else:
        return None
    lower = any(c.lower_ in LOWER_BOUND_CUES for c in token.children) or text in LOWER_BOUND_CUES
    return value, lower


def _victim_nouns(verb: Token) -> list[Token]:
    """Who the outcome happened to: the passive subject, the object, or an intransitive subject."""
    deps = {"nsubjpass", "dobj"}
    if verb.lemma_ in ("die", "drown"):
        deps.add("nsubj")
    nouns = [c for c in verb.children if c.dep_ in deps]
    for noun in list(nouns):
        nouns.extend(c for c in noun.children if c.dep_ == "conj")
    return nouns


def casualty_records(doc: Doc) -> list[tuple[Casualty, Span]]:
    """Casualty facts, each with the words it was read from (the rules test them in place)."""
    found: dict[tuple[int, str | None, str], tuple[Casualty, Span]] = {}
    for token in doc:
        outcome = OUTCOMES.get(token.lemma_.lower())
        if outcome is None or token.pos_ not in ("VERB", "AUX"):
            continue
        for noun in _victim_nouns(token):
            count: tuple[int, bool] | None = None
            for child in noun.children:
                if child.dep_ in ("nummod", "det", "quantmod"):
                    count = _number(child)
                    if count:
                        break
            if count is None and (noun.like_num or noun.lower_ in NUMBER_WORDS):
                count = _number(noun)
                # "15 of them", "hundreds of migrants": the victims follow "of".
                noun = next(
                    (g for p in noun.children if p.dep_ == "prep" and p.lower_ == "of"
                     for g in p.children if g.dep_ == "pobj"), noun,
                )  # fmt: skip
            if count is None:
                continue
            who = WHO.get(noun.lemma_.lower())
            key = (count[0], who, outcome)
            if key not in found:
                words = [token, noun, *noun.lefts]
                span = doc[min(t.i for t in words) : max(t.i for t in words) + 1]
                found[key] = (
                    Casualty(
                        count=count[0],
                        lower_bound=count[1],
                        who=who,
                        outcome=outcome,
                        sentence=token.sent.text.strip(),
                    ),
                    span,
                )
    return list(found.values())


def country_mentions(doc: Doc, gazetteer: Gazetteer) -> list[tuple[str, Span]]:
    return [
        (code, ent)
        for ent in doc.ents
        if ent.label_ in COUNTRY_LABELS and (code := gazetteer.country(ent.text))
    ]


@dataclass(frozen=True)
class DocFacts:
    """The facts of one document, and where in it each was found."""

    facts: Facts
    casualties: list[tuple[Casualty, Span]]
    countries: list[tuple[str, Span]]


def extract(doc: Doc, gazetteer: Gazetteer) -> DocFacts:
    places: dict[str, None] = {}
    for ent in doc.ents:
        if ent.label_ in PLACE_LABELS:
            places.setdefault(ent.text.strip(), None)
    mentions = country_mentions(doc, gazetteer)
    records = casualty_records(doc)
    facts = Facts(
        countries=list(dict.fromkeys(code for code, _ in mentions)),
        places=list(places)[:20],
        casualties=[c for c, _ in records],
    )
    return DocFacts(facts, records, mentions)


def extract_facts(doc: Doc, gazetteer: Gazetteer) -> Facts:
    return extract(doc, gazetteer).facts
