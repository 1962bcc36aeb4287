"""Is a matched event reported as having happened, or denied, hedged or in the past?

"Turkey threatened to open its borders", "the army denied that guards fired on anyone" and
"the crossing was closed in 2015" all contain a rule's words but report no new event. The test
is made on the dependency parse around the matched words (their governing verb and its
ancestors), with cue words from shared, editable lists (``rules/lists/cues.yaml``).
"""

from __future__ import annotations

import re
from collections.abc import Container, Mapping
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from borderwatch.streams.rules.model import CueKind, Modality

_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_VERBS = frozenset({"VERB", "AUX"})
_SUBJECTS = frozenset({"nsubj", "nsubjpass"})
MAX_CLIMB = 6

Cues = Mapping[CueKind, frozenset[str]]


def reference_year(doc: Doc, published_year: int | None) -> int | None:
    """The article's "now": its publication year, else the latest year it mentions."""
    if published_year is not None:
        return published_year
    years = [int(y) for ent in doc.ents if ent.label_ == "DATE" for y in _YEAR.findall(ent.text)]
    return max(years) if years else None


def governing_verb(span: Span) -> Token:
    """The verb whose clause a match belongs to (the match itself when it is a verb)."""
    token = span.root
    for _ in range(MAX_CLIMB):
        if token.pos_ in _VERBS or token.head.i == token.i:
            break
        token = token.head
    return token


def _ancestors(token: Token) -> list[Token]:
    out: list[Token] = []
    while token.head.i != token.i and len(out) < MAX_CLIMB:
        token = token.head
        out.append(token)
    return out


def clause_dates(doc: Doc) -> dict[int, list[Span]]:
    """DATE entities by the verb whose own clause they belong to (computed once per doc)."""
    found: dict[int, list[Span]] = {}
    for ent in doc.ents:
        if ent.label_ != "DATE":
            continue
        token = ent.root
        for _ in range(MAX_CLIMB):
            if token.head.i == token.i or token.pos_ in _VERBS:
                break
            token = token.head
        found.setdefault(token.i, []).append(ent)
    return found


@dataclass(frozen=True)
class ModalityJudge:
    """Decides, for one rule's cue lists, which modalities a match carries."""

    cues: Cues
    ref_year: int | None = None
    dates: Mapping[int, list[Span]] = field(default_factory=dict)

    def _has(self, kind: CueKind, word: str) -> bool:
        return word.lower() in self.cues.get(kind, frozenset())

    def negated(self, verb: Token, matched: Container[int]) -> bool:
        """Negation of the verb, unless the negation is itself matched ("cannot take in")."""
        for child in verb.children:
            if child.i in matched:
                continue
            if child.dep_ == "neg" or (child.dep_ == "advmod" and
                                       self._has(CueKind.negation, child.lemma_)):  # fmt: skip
                return True
        return any(self._has(CueKind.denial, a.lemma_) for a in _ancestors(verb))

    def hedged(self, verb: Token) -> bool:
        ancestors = _ancestors(verb)
        reported = any(self._has(CueKind.reporting, a.lemma_) for a in ancestors)
        for token in (verb, *ancestors):
            # "if it spreads, X closes": the condition hangs off the verb as an advcl.
            clauses = [token, *(c for c in token.children if c.dep_ == "advcl")]
            for child in (g for clause in clauses for g in clause.children):
                if child.dep_ == "mark" and self._has(CueKind.conditional, child.lower_):
                    return True
        for child in verb.children:
            # "said it would open": reported speech shifts "will" to "would".
            backshifted = reported and child.lower_ == "would"
            if child.dep_ == "aux" and self._has(CueKind.modal, child.lower_) and not backshifted:
                return True
        # "threatened to open", and "pressure mounted for X to open" (the cue is a subject).
        framing = [*ancestors, *(c for a in ancestors for c in a.children if c.dep_ in _SUBJECTS)]
        return any(self._has(CueKind.threat, a.lemma_) for a in framing)

    def historical(self, verb: Token) -> bool:
        for ent in self.dates.get(verb.i, ()):
            if any(self._has(CueKind.historical, t.lower_) for t in ent):
                return True
            years = [int(y) for y in _YEAR.findall(ent.text)]
            if years and self.ref_year is not None and max(years) < self.ref_year:
                return True
        return False

    def of(self, span: Span, matched: Container[int] = ()) -> frozenset[Modality]:
        """The modalities of a match; ``matched`` are token indices the rule itself matched."""
        verb = governing_verb(span)
        found = set()
        if self.negated(verb, matched):
            found.add(Modality.negated)
        if self.hedged(verb):
            found.add(Modality.hedged)
        if self.historical(verb):
            found.add(Modality.historical)
        return frozenset(found)
