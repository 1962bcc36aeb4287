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


MONTHS = {m: i for i, m in enumerate(("january", "february", "march", "april", "may", "june",
          "july", "august", "september", "october", "november", "december"), 1)}  # fmt: skip
STALE_MONTHS = 2  # a month named this long before publication is background, not news


def _months_before(ent: Span, ref_month: int) -> bool:
    """ "in March" in a report published in July: the latest March before it is 4 months
    back. Only a month name counts ("May" the verb is not a DATE)."""
    named = [MONTHS[t.lower_] for t in ent if t.lower_ in MONTHS]
    if not named:
        return False
    return (ref_month - named[-1]) % 12 >= STALE_MONTHS


@dataclass(frozen=True)
class ModalityJudge:
    """Decides, for one rule's cue lists, which modalities a match carries."""

    cues: Cues
    ref_year: int | None = None
    dates: Mapping[int, list[Span]] = field(default_factory=dict)
    ref_month: int | None = None  # with a publication date: "in March" in a July report

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
            if not years and self.ref_month is not None and _months_before(ent, self.ref_month):
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


# What a hedge is, by the word that makes it one: a frame's status names it, so a rule can
# accept an announced opening ("Egypt is to open Rafah") yet refuse a threatened one.
THREATS = frozenset({"threaten", "threat", "warn", "vow", "blackmail"})
DEMANDS = frozenset({"urge", "demand", "call", "ask", "appeal", "pressure", "press", "seek",
                     "want", "push", "lobby", "plead", "petition", "face"})  # fmt: skip
FUTURE = frozenset({"will", "shall", "'ll"})


def _hedge_kind(judge: ModalityJudge, verb: Token) -> str:
    """ "threatened", "demanded" or "planned": which cue above the verb hedges it."""
    for token in (verb, *_ancestors(verb)):
        clauses = [token, *(c for c in token.children if c.dep_ == "advcl")]
        for child in (g for clause in clauses for g in clause.children):
            if child.dep_ == "mark" and judge._has(CueKind.conditional, child.lower_):
                return "threatened"  # "unless ... we will open the gates"
    framing = _ancestors(verb)
    framing += [c for a in framing for c in a.children if c.dep_ in _SUBJECTS]
    for token in framing:
        if token.lemma_.lower() in THREATS:
            return "threatened"
        if token.lemma_.lower() in DEMANDS:
            return "demanded"
    return "planned"


def _negated(judge: ModalityJudge, verb: Token) -> bool:
    """Negation of the verb itself, or a denial verb whose complement it is ("denied that
    guards fired"); a denial in a neighbouring clause ("claims were rejected") is not one."""
    for child in verb.children:
        if child.dep_ == "neg" or (
            child.dep_ == "advmod" and judge._has(CueKind.negation, child.lemma_)
        ):
            return True
    token = verb
    for _ in range(3):
        if token.dep_ not in ("ccomp", "xcomp", "pcomp", "pobj", "prep") or token.head == token:
            return False
        token = token.head
        if judge._has(CueKind.denial, token.lemma_):
            return True
    return False


def status_of(judge: ModalityJudge, span: Span, state: bool = False) -> str:
    """A frame's status from the modality of its words: done, planned, demanded, threatened,
    denied or historical."""
    verb = governing_verb(span)
    if _negated(judge, verb):
        return "denied"
    if judge.historical(verb):
        return "historical"
    if judge.hedged(verb):
        return _hedge_kind(judge, verb)
    aux = {c.lower_ for c in verb.children if c.dep_ in ("aux", "auxpass")}
    if aux & FUTURE or any(c.lower_ in ("is", "are") and c.dep_ == "aux" for c in verb.children
                           if verb.tag_ == "VB"):  # fmt: skip
        return "planned"  # "will reopen", "is to open"
    return "done"
