"""Casualty facts from the dependency parse: how many, who, what happened, whose, by whom.

``DependencyMatcher`` patterns find an outcome verb and its victims in the four shapes news
uses ("33 soldiers were killed", "guards killed 11 Syrians", "a migrant drowned", "the death
toll rose to 22"); the victim phrase is then read for a count (digits, number words, "at
least", "dozens", "a child"), a kind of person, a nationality, and the perpetrator.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.matcher import DependencyMatcher
from spacy.tokens import Doc, Span, Token

from borderwatch.core.models import Casualty
from borderwatch.streams.reading.lexicon import (
    ADJECTIVES,
    COMPOUND_WHO,
    INTRANSITIVE,
    LOWER_BOUND_CUES,
    NUMBER_WORDS,
    OUTCOMES,
    PAST_FORMS,
    STATE_FORMS,
    TOLL_VERBS,
    VAGUE,
    WEAPONS,
    WHO,
)

_NUMBER = re.compile(r"^\d{1,3}(,\d{3})+$|^\d+$")


def _patterns() -> dict[str, list[list[dict[str, Any]]]]:
    verb = {"LEMMA": {"IN": list(OUTCOMES)}, "POS": {"IN": ["VERB", "AUX"]}}
    return {
        "object": [[
            {"RIGHT_ID": "verb", "RIGHT_ATTRS": verb},
            {"LEFT_ID": "verb", "REL_OP": ">", "RIGHT_ID": "victim",
             "RIGHT_ATTRS": {"DEP": {"IN": ["nsubjpass", "dobj"]}}},
        ]],
        "intransitive": [
            [
                {"RIGHT_ID": "verb", "RIGHT_ATTRS": attrs},
                {"LEFT_ID": "verb", "REL_OP": ">", "RIGHT_ID": "victim",
                 "RIGHT_ATTRS": {"DEP": "nsubj"}},
            ]
            for attrs in ({"LEMMA": {"IN": list(INTRANSITIVE)}},
                          {"LOWER": {"IN": list(PAST_FORMS)}})
        ],
        "adjective": [[
            {"RIGHT_ID": "victim", "RIGHT_ATTRS": {"POS": {"IN": ["NOUN", "PROPN", "NUM"]}}},
            {"LEFT_ID": "victim", "REL_OP": ">", "RIGHT_ID": "verb",
             "RIGHT_ATTRS": {"DEP": "amod", "LOWER": {"IN": list(ADJECTIVES)}}},
        ]],
        "suffered": [[
            {"RIGHT_ID": "verb", "RIGHT_ATTRS": {"LEMMA": {"IN": ["have", "suffer", "sustain",
                                                                   "receive"]}}},
            {"LEFT_ID": "verb", "REL_OP": ">", "RIGHT_ID": "wound",
             "RIGHT_ATTRS": {"DEP": "dobj", "LEMMA": {"IN": ["wound", "injury"]}}},
            {"LEFT_ID": "verb", "REL_OP": ">", "RIGHT_ID": "victim",
             "RIGHT_ATTRS": {"DEP": "nsubj"}},
        ]],
        # "and 13 wounded", "31 people injured", "with dozens more injured": a passive
        # participle (or outcome adjective) whose subject is the victims, the auxiliary left
        # out. "Guards had killed 11" keeps its "had" and is active.
        "elliptic": [
            [
                {"RIGHT_ID": "verb", "RIGHT_ATTRS": attrs},
                {"LEFT_ID": "verb", "REL_OP": ">", "RIGHT_ID": "victim",
                 "RIGHT_ATTRS": {"DEP": "nsubj"}},
            ]
            for attrs in ({"LEMMA": {"IN": list(OUTCOMES)}, "TAG": "VBN"},
                          {"LOWER": {"IN": list(ADJECTIVES)}, "POS": "ADJ"})
        ],
        # "left 29 injured", "left three soldiers dead": the victims and their state.
        "left": [[
            {"RIGHT_ID": "verb", "RIGHT_ATTRS": {"LEMMA": "leave"}},
            {"LEFT_ID": "verb", "REL_OP": ">", "RIGHT_ID": "victim",
             "RIGHT_ATTRS": {"DEP": "dobj"}},
            {"LEFT_ID": "verb", "REL_OP": ">", "RIGHT_ID": "state",
             "RIGHT_ATTRS": {"DEP": {"IN": ["oprd", "xcomp", "acomp", "ccomp"]},
                             "LOWER": {"IN": [*ADJECTIVES, *STATE_FORMS]}}},
        ]],
        "toll": [[
            {"RIGHT_ID": "verb", "RIGHT_ATTRS": {"LEMMA": {"IN": list(TOLL_VERBS)}}},
            {"LEFT_ID": "verb", "REL_OP": ">", "RIGHT_ID": "toll",
             "RIGHT_ATTRS": {"LEMMA": "toll", "DEP": "nsubj"}},
            {"LEFT_ID": "verb", "REL_OP": ">>", "RIGHT_ID": "victim",
             "RIGHT_ATTRS": {"LIKE_NUM": True}},
        ]],
    }  # fmt: skip


@dataclass(frozen=True)
class Count:
    value: int | None
    lower_bound: bool = False


def _number_text(text: str) -> int | None:
    t = text.lower().replace(",", "")
    if t.isdigit():
        return int(t)
    return NUMBER_WORDS.get(t)


def _is_number(token: Token) -> bool:
    if _NUMBER.match(token.text):
        return True
    return token.lower_ in NUMBER_WORDS and token.lower_ not in ("a", "an")


def _scale(token: Token) -> int:
    """ "hundreds of thousands", "tens of thousands": the number after "of" multiplies."""
    for prep in token.children:
        if prep.dep_ == "prep" and prep.lower_ == "of":
            for obj in prep.children:
                if obj.lower_ in ("thousands", "millions"):
                    return 1000 if obj.lower_ == "thousands" else 1_000_000
    return 1


def count_of(noun: Token) -> Count:
    """The number of people a victim phrase names, with "at least"-style lower bounds."""
    candidates = [
        c
        for c in noun.children
        if c.dep_ in ("nummod", "quantmod") or (c.like_num and c.i < noun.i)
    ]
    unit = {"thousands": 1000, "millions": 1_000_000}.get(noun.lower_)
    if _is_number(noun):
        candidates.insert(len(candidates) if unit else 0, noun)
    unit = {"thousands": 1000, "millions": 1_000_000}.get(noun.lower_)
    for token in candidates:
        value = _number_text(token.text)
        if value is None:
            continue
        if unit and token != noun:  # "hundreds of thousands" parsed as quantmod + noun
            return Count(value * unit, True)
        value *= _scale(token)
        cues = {c.lower_ for c in token.subtree}
        lower = bool(cues & LOWER_BOUND_CUES) or {"more", "than"} <= cues or token.lower_ in VAGUE
        # "10 to 15 soldiers": the smaller number is a lower bound.
        smaller = [_number_text(c.text) for c in token.children if c.like_num and c != token]
        if any(s is not None and s < value for s in smaller):
            value, lower = min(s for s in smaller if s is not None), True
        return Count(value, lower)
    for child in noun.children:
        if child.dep_ == "det" and child.lower_ in ("a", "an"):
            return Count(1)
        if child.dep_ == "amod" and child.lower_ in VAGUE:
            return Count(NUMBER_WORDS.get(child.lower_), True)
    if noun.tag_ in ("NN", "NNP") and noun.lemma_.lower() in WHO and noun.lower_ not in (
        "people", "police", "personnel", "children", "men", "women"
    ):  # fmt: skip
        return Count(1)  # "a soldier", "the boy": a singular noun is one person
    return Count(None)


def victim_head(noun: Token) -> Token:
    """ "15 of them", "hundreds of migrants": the people are after "of"."""
    if _is_number(noun) or noun.lower_ in ("some", "many", "most", "several", "members", "member"):
        for prep in noun.children:
            if prep.dep_ == "prep" and prep.lower_ == "of":
                for obj in prep.children:
                    if obj.dep_ == "pobj":
                        return obj
    return noun


def who_of(noun: Token, demonym: Callable[[str], str | None]) -> str | None:
    lemma = noun.lemma_.lower()
    if lemma not in WHO and lemma.endswith("s") and lemma[:-1] in WHO:
        lemma = lemma[:-1]  # "Guards" at the start of a headline is tagged PROPN, unlemmatised
    for child in noun.children:
        if child.dep_ == "compound":
            kind = COMPOUND_WHO.get((child.lemma_.lower(), lemma))
            if kind:
                return kind
    if lemma in WHO:
        return WHO[lemma]
    if noun.lower_ in WHO:
        return WHO[noun.lower_]
    if demonym(noun.text):  # "11 Syrians"
        return "people"
    return None


def nationality_of(noun: Token, demonym: Callable[[str], str | None]) -> str | None:
    for child in noun.children:
        if child.dep_ in ("amod", "compound", "nmod", "poss") or child.ent_type_ in ("NORP", "GPE"):
            code = demonym(child.text)
            if code:
                return code
    if demonym(noun.text):
        return demonym(noun.text)
    for prep in noun.children:
        if prep.dep_ == "prep" and prep.lower_ == "from":
            for obj in prep.children:
                code = demonym(obj.text)
                if code:
                    return code
    return None


def _phrase(noun: Token) -> str:
    words = [t for t in noun.subtree if t.i <= noun.i and t.dep_ not in ("det", "punct")]
    words = words[-5:]
    return " ".join(t.text for t in words)


def perpetrator(verb: Token) -> Token | None:
    """Who did it: the agent of a passive verb (through "gunfire from ..."), or the subject."""
    passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children)
    candidates: list[Token] = []
    if verb.dep_ == "conj" and not any(c.dep_.startswith("nsubj") for c in verb.children):
        verb_for_subject = verb.head  # "guards shot and wounded three migrants"
        candidates.extend(c for c in verb_for_subject.children if c.dep_ == "nsubj")
    for child in verb.children:
        if child.dep_ == "agent" or (child.dep_ == "prep" and child.lower_ == "by"):
            candidates.extend(g for g in child.children if g.dep_ == "pobj")
        elif child.dep_ == "prep" and child.lower_ == "in":  # "killed in an airstrike by ..."
            candidates.extend(
                g for g in child.children if g.dep_ == "pobj" and g.lemma_.lower() in WEAPONS
            )
        elif (
            child.dep_ == "nsubj"
            and not passive
            and verb.lemma_ not in INTRANSITIVE + tuple(PAST_FORMS)
        ):
            candidates.append(child)
    sources = [g for p in verb.children if p.dep_ == "prep" and p.lower_ == "from"
               for g in p.children if g.dep_ == "pobj"]  # fmt: skip
    for token in candidates:
        token = victim_head(token)  # "two of the gunmen fired at a patrol"
        seen = 0
        while token.lemma_.lower() in WEAPONS and seen < 3:
            nxt = [g for p in token.children if p.dep_ == "prep" and p.lower_ in ("from", "by")
                   for g in p.children if g.dep_ == "pobj"] or sources  # fmt: skip
            if not nxt:
                break
            token, seen = nxt[0], seen + 1
        if token.lemma_.lower() not in WEAPONS and token.pos_ in ("NOUN", "PROPN"):
            return token
    return None


SUBSETS = ("including", "among")  # "including a child", "among them two soldiers"


def _victims(noun: Token) -> Iterator[Token]:
    """The victim and those joined to it ("1 woman and 4 people", "including children"), and
    a part of them named apart ("15 people, a soldier among them")."""
    yield noun
    for child in noun.children:
        if child.dep_ == "conj":
            yield child
        if child.dep_ == "prep" and child.lower_ in SUBSETS:
            yield from (g for g in child.children if g.dep_ == "pobj" and g.pos_ != "PRON")
        if child.dep_ == "appos" and any(
            g.dep_ == "prep" and g.lower_ in SUBSETS for g in child.children
        ):
            yield child


class CasualtyReader:
    def __init__(self, nlp: Language, demonym: Callable[[str], str | None]) -> None:
        self.matcher = DependencyMatcher(nlp.vocab, validate=True)
        for name, patterns in _patterns().items():
            self.matcher.add(name, patterns)
        self.demonym = demonym

    def _outcome(self, name: str, verb: Token) -> str:
        if name == "adjective" or (name == "elliptic" and verb.lower_ in ADJECTIVES):
            return ADJECTIVES[verb.lower_]
        if name == "toll":
            return "killed"
        if name == "suffered":
            return "wounded"
        lemma = verb.lemma_.lower()
        outcome = OUTCOMES[PAST_FORMS.get(lemma, lemma)]
        if outcome == "shot" and any(c.lower_ == "dead" for c in verb.children):
            return "killed"  # "shot dead"
        return outcome

    def records(
        self, doc: Doc, status: Callable[[Span], str] | None = None
    ) -> list[tuple[Casualty, Span]]:
        """``status`` marks background records (``frames.background``) before merging, so a
        toll told as background never absorbs the same toll told as news."""
        found: list[tuple[Casualty, Span]] = []
        for match_id, token_ids in self.matcher(doc):
            name = doc.vocab.strings[match_id]
            roles = {
                "adjective": ("victim", "verb"),
                "toll": ("verb", "toll", "victim"),
                "suffered": ("verb", "wound", "victim"),
                "left": ("verb", "victim", "state"),
            }.get(name, ("verb", "victim"))
            ids = dict(zip(roles, token_ids, strict=True))
            verb, first = doc[ids["verb"]], doc[ids["victim"]]
            if name == "elliptic" and any(
                c.dep_ in ("aux", "auxpass", "nsubjpass", "dobj") for c in verb.children
            ):
                continue  # "guards had killed 11", "were killed": the other patterns' shapes
            if name == "left":
                state = doc[ids["state"]].lower_
                outcome = ADJECTIVES.get(state) or STATE_FORMS[state]
            else:
                outcome = self._outcome(name, verb)
            by = perpetrator(verb) if name in ("object", "intransitive", "left") else None
            victims = list(_victims(first))
            if name != "toll":  # "two were wounded, including a child"; "among them 2 soldiers"
                victims += [g for p in verb.children if p.dep_ == "prep" and p.lower_ in SUBSETS
                            for g in p.children
                            if g.dep_ == "pobj" and g.pos_ != "PRON"]  # fmt: skip
            for noun in victims:
                found.extend(self._record(doc, verb, noun, outcome, by, bare=name == "toll"))
        if status is not None:
            found = [(c.model_copy(update={"status": status(span)}), span) for c, span in found]
        return merge(found)

    def _record(self, doc: Doc, verb: Token, noun: Token, outcome: str, by: Token | None,
                bare: bool) -> Iterator[tuple[Casualty, Span]]:  # fmt: skip
        count = count_of(noun)
        person = victim_head(noun)
        who = None if bare else who_of(person, self.demonym)
        if who is None and _is_number(person):
            who = _elliptic_who(verb, self.demonym)
        if who is None and count.value is None:
            return  # "the attack killed hopes": no person, no number
        if person.pos_ == "PRON" and count.value is None:
            return
        words = [verb, noun, person, *noun.lefts]
        span = doc[min(t.i for t in words) : max(t.i for t in words) + 1]
        yield (
            Casualty(
                count=count.value,
                lower_bound=count.lower_bound,
                who=who,
                outcome=outcome,
                nationality=nationality_of(person, self.demonym)
                or nationality_of(noun, self.demonym),
                by=who_of(by, self.demonym) if by is not None else None,
                by_text=_phrase(by) if by is not None else None,
                sentence=verb.sent.text.strip(),
            ),
            span,
        )


def _elliptic_who(verb: Token, demonym: Callable[[str], str | None]) -> str | None:
    """ "opened fire on migrants, killing two": the people are named in the clause above."""
    head = verb.head if verb.dep_ in ("advcl", "conj", "xcomp") else None
    if head is None:
        return None
    for child in head.children:  # "3 people were killed and 13 wounded": the same people
        targets = [child] if child.dep_ in ("dobj", "nsubjpass") else [
            g for g in child.children if child.dep_ == "prep" and g.dep_ == "pobj"
        ]  # fmt: skip
        for target in targets:
            who = who_of(target, demonym)
            if who:
                return who
    return None


FIELDS = ("count", "who", "nationality", "by", "status")


def _compatible(a: Casualty, b: Casualty) -> bool:
    """Nothing the two records say contradicts: they can be the same victims."""
    if not (a.outcome == b.outcome or {a.outcome, b.outcome} <= {"wounded", "injured"}):
        return False
    for name in FIELDS:
        av, bv = getattr(a, name), getattr(b, name)
        if av is not None and bv is not None and av != bv:
            return False
    return True


def _unify(a: Casualty, b: Casualty) -> Casualty:
    update = {n: getattr(b, n) for n in FIELDS if getattr(a, n) is None and getattr(b, n)}
    if "count" in update:
        update["lower_bound"] = b.lower_bound
    if "by" in update:
        update["by_text"] = b.by_text
    return a.model_copy(update=update)


def merge(records: list[tuple[Casualty, Span]]) -> list[tuple[Casualty, Span]]:
    """One record per group of victims: the headline and the body often repeat a toll, each
    with part of the detail ("killed Turkish soldiers" ... "33 soldiers were killed")."""
    kept: list[tuple[Casualty, Span]] = []
    for casualty, span in sorted(records, key=lambda r: r[1].start):
        for i, (other, other_span) in enumerate(kept):
            if _compatible(other, casualty):
                kept[i] = (_unify(other, casualty), other_span)
                break
        else:
            kept.append((casualty, span))
    return kept
