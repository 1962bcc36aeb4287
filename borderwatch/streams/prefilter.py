"""The prefilter: keep spaCy off articles that no rule could match.

Built from the loaded rules (and rebuilt with every reload), it asks, before any parsing,
whether the article's lower-cased text contains, for some rule, at least one necessary
string of every condition that rule requires. The strings are chosen so that the answer
can only err towards "maybe": a lemma stands for every surface form the lemmatiser's own
suffix rules could map to it (``close`` -> ``closing``, ``closed``, ``closes``...), plus the
irregular forms in its exception tables (``shoot`` -> ``shot``). One Aho-Corasick automaton
(pyahocorasick) finds them where a token can begin (after a non-letter), and ignores where
they end, which again only errs towards "maybe". A rule with a condition the prefilter
cannot express (an entity label, a countries fact) makes every article pass.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import ahocorasick
from spacy.language import Language
from spacy.tokens import Doc

from borderwatch.streams.reading.frames import ACTION_WORDS, SHOOTING_WORDS
from borderwatch.streams.reading.gazetteer import CROSSING, REGION, Gazetteer
from borderwatch.streams.reading.lexicon import ADJECTIVES, INTRANSITIVE, OUTCOMES, PAST_FORMS
from borderwatch.streams.rules.model import GAP, Condition, Rule

Need = frozenset[str]  # any one of these strings must occur
# Tokens the tokenizer splits off inside a word ("can|not", "do|n't", "gon|na"): these may
# follow a letter.
INNER_TOKENS = frozenset({"not", "n't", "n’t", "na", "ta"})


class _Lemmas:
    """What the lemmatiser can turn into a given lemma, from its own tables."""

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp
        self.rules: set[tuple[str, str]] = set()
        self.irregular: dict[str, set[str]] = defaultdict(set)
        lookups: Any = None
        if "lemmatizer" in nlp.pipe_names:
            lookups = getattr(nlp.get_pipe("lemmatizer"), "lookups", None)
        if lookups is not None:
            if lookups.has_table("lemma_rules"):
                rules = lookups.get_table("lemma_rules")
                self.rules = {(old, new) for pairs in rules.values() for old, new in pairs}
            if lookups.has_table("lemma_exc"):
                for table in lookups.get_table("lemma_exc").values():
                    for form, lemmas in table.items():
                        for lemma in lemmas:
                            self.irregular[lemma.lower()].add(form.lower())

    def forms(self, *words: str) -> set[str]:
        """Every surface form the lemmatiser could read as one of these words: the word, the
        word with each suffix rule run backwards (``close`` -> ``closing``), and irregulars."""
        out: set[str] = set()
        for word in words:
            low = word.lower()
            out.add(low)
            for old, new in self.rules:
                if low.endswith(new) and len(low) > len(new):
                    out.add(low[: len(low) - len(new)] + old)
            out |= self.irregular.get(low, set())
        return {f for f in out if f}

    def lemma(self, word: str) -> str:
        doc = self.nlp(Doc(self.nlp.vocab, words=[word]))
        return doc[0].lemma_


def _phrase_need(phrase: str, lemmas: _Lemmas) -> Need:
    """Strings of which one must occur wherever the phrase matches: the most selective word."""
    options: list[set[str]] = []
    for word in phrase.split():
        if word == GAP:
            continue
        if word.endswith("*"):
            options.append({word[:-1].lower()})
        elif word.startswith("="):
            options.append({t.text.lower() for t in lemmas.nlp.tokenizer(word[1:])})
        else:
            for tok in lemmas.nlp.tokenizer(word):
                options.append(lemmas.forms(tok.text, lemmas.lemma(tok.text)))
    options = [o for o in options if o]
    if not options:
        return frozenset()
    return frozenset(max(options, key=lambda o: min(map(len, o))))


def _casualty_need(lemmas: _Lemmas) -> Need:
    """A casualty record needs an outcome verb or adjective, "toll", or "wound"/"injury"."""
    words = [*OUTCOMES, *INTRANSITIVE, "toll", "wound", "injury"]
    out = set(ADJECTIVES) | set(PAST_FORMS)
    for w in words:
        out |= lemmas.forms(w)
    return frozenset(out)


def _condition_need(cond: Condition, lemmas: _Lemmas, gazetteer: Gazetteer) -> Need | None:
    """None when the condition cannot be checked on raw text."""
    if cond.phrase is not None:
        needs = [_phrase_need(p, lemmas) for p in cond.phrase]
        if any(not n for n in needs):
            return None
        return frozenset().union(*needs)
    if cond.entity is not None:
        if set(cond.entity) <= {CROSSING, REGION}:
            names = [n for c in gazetteer.crossings.values() for n in c.names] if CROSSING in \
                cond.entity else []  # fmt: skip
            if REGION in cond.entity:
                names += [n for r in gazetteer.regions.values() for n in r.names]
            return frozenset(n.lower() for n in names) or None
        return None
    exprs = cond.fact or []
    if any(e.startswith("casualties.") for e in exprs):
        return _casualty_need(lemmas)
    frame_words = (SHOOTING_WORDS if any(e.startswith("shootings.") for e in exprs)
                   else ACTION_WORDS if any(e.startswith("border_actions.") for e in exprs)
                   else None)  # fmt: skip
    if frame_words is not None:
        return frozenset(f for w in frame_words for f in lemmas.forms(w))
    return None


@dataclass(frozen=True)
class _RuleNeeds:
    all_: tuple[Need, ...]
    any_: Need | None  # one of these (the union over the any-block), when given


class Prefilter:
    def __init__(self, rules: Iterable[Rule], nlp: Language, gazetteer: Gazetteer) -> None:
        lemmas = _Lemmas(nlp)
        self.rules: list[_RuleNeeds] = []
        self.passes_all = False
        for rule in rules:
            needs = [_condition_need(c, lemmas, gazetteer) for c in rule.all_]
            any_needs = [_condition_need(c, lemmas, gazetteer) for c in rule.any_]
            required = tuple(n for n in needs if n is not None)
            any_need = None
            if rule.any_ and all(n is not None for n in any_needs):
                any_need = frozenset().union(*(n for n in any_needs if n is not None))
            if not required and any_need is None:
                self.passes_all = True  # this rule cannot be prefiltered
            self.rules.append(_RuleNeeds(required, any_need))
        self.automaton = ahocorasick.Automaton()
        strings = {s for r in self.rules for n in (*r.all_, r.any_ or ()) for s in n}
        for s in strings:
            self.automaton.add_word(s, s)
        if strings:
            self.automaton.make_automaton()
        self.size = len(strings)

    def passes(self, text: str) -> bool:
        if self.passes_all or not self.size:
            return True
        low = text.lower()
        found = set()
        for end, s in self.automaton.iter(low):
            start = end - len(s) + 1
            if start == 0 or not low[start - 1].isalnum() or s in INNER_TOKENS or s[0] in "'’":
                found.add(s)
        return any(
            all(n & found for n in r.all_) and (r.any_ is None or bool(r.any_ & found))
            for r in self.rules
        )
