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

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import ahocorasick
from spacy.attrs import IDX, LENGTH
from spacy.language import Language
from spacy.tokens import Doc

from borderwatch.streams.match import MAX_GAP
from borderwatch.streams.reading.facts import BORDER_WORDS as FACT_BORDER_WORDS
from borderwatch.streams.reading.frames import ACTION_WORDS, LEAD, SHOOTING_WORDS
from borderwatch.streams.reading.frames import BORDER_WORDS as FRAME_BORDER_WORDS
from borderwatch.streams.reading.gazetteer import CROSSING, REGION, Gazetteer
from borderwatch.streams.reading.lexicon import (
    ADJECTIVES,
    INTRANSITIVE,
    OUTCOMES,
    PAST_FORMS,
    STATE_FORMS,
)
from borderwatch.streams.reading.nlp import word_lemmas
from borderwatch.streams.rules.model import GAP, Condition, Rule, Scope

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
        return word_lemmas(self.nlp, (word,))[0]


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
    out = set(ADJECTIVES) | set(PAST_FORMS) | set(STATE_FORMS)
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
    rule: Rule | None = None
    every: tuple[Need | None, ...] = ()  # each all/any condition's strings (None: any text)
    none: tuple[Need | None, ...] = ()
    slack: int = 0  # tokens a match may reach before or past the word the prefilter finds
    phrases: frozenset[str] | None = frozenset()  # its phrases' strings (None: any text)

    def holds(self, found: set[str]) -> bool:
        return all(n & found for n in self.all_) and (self.any_ is None or bool(self.any_ & found))


@dataclass(frozen=True)
class Pick:
    """What the scoped reading parses of an article, and where its phrases can match."""

    sentences: frozenset[int]  # indices of the cheap split's sentences
    # Tokens holding a string of a picked rule's phrase: every match that can matter lies
    # within ``reach`` tokens of one; and sentences to match whole (a phrase without strings).
    phrase_tokens: list[int]
    phrase_sentences: frozenset[int]
    reach: int


# Sentence numbers from the cheap split may run up to this far ahead of the parser's (it
# joins a few of them: "Lt. Gen.", "(Reporting by ...)"); a lead counts with this margin.
MARGIN = 2
# Tokens of a phrase beyond its words: a gap ("push* ... back") and entity names.
ENTITY_SLACK = 8
_YEARS = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


def _longest(rule: Rule, nlp: Language) -> int:
    """The most tokens one of the rule's phrases can match."""
    longest = 1
    for _, conds in rule.blocks:
        for cond in conds:
            for phrase in cond.phrase or ():
                words = [w for w in phrase.split() if w != GAP]
                size = sum(len(nlp.tokenizer(w.strip("=*"))) for w in words)
                longest = max(longest, size + phrase.split().count(GAP) * MAX_GAP)
    return longest


class Prefilter:
    """Built from the rules: ``passes`` asks it of an article's text, ``pick`` of each
    sentence of its tokens (which sentences a rule could match in, and what else must be
    parsed for the facts to read as they would from the whole article)."""

    def __init__(self, rules: Iterable[Rule], nlp: Language, gazetteer: Gazetteer) -> None:
        lemmas = _Lemmas(nlp)
        rules_list = list(rules)
        self.rules: list[_RuleNeeds] = []
        self.passes_all = False
        self.prefixes: set[str] = set()  # strings that may end inside a token ("refugee*")
        for rule in rules_list:
            needs = [_condition_need(c, lemmas, gazetteer) for c in rule.all_]
            any_needs = [_condition_need(c, lemmas, gazetteer) for c in rule.any_]
            required = tuple(n for n in needs if n is not None)
            any_need = None
            if rule.any_ and all(n is not None for n in any_needs):
                any_need = frozenset().union(*(n for n in any_needs if n is not None))
            if not required and any_need is None:
                self.passes_all = True  # this rule cannot be prefiltered
            none = tuple(_condition_need(c, lemmas, gazetteer) for c in rule.none_)
            slack = _longest(rule, nlp) + ENTITY_SLACK
            every = (*needs, *any_needs)
            said = [_condition_need(c, lemmas, gazetteer) for _, conds in rule.blocks
                    for c in conds if c.phrase is not None]  # fmt: skip
            phrases = None if None in said else frozenset(s for n in said if n for s in n)
            self.rules.append(_RuleNeeds(required, any_need, rule, every, none, slack, phrases))
            for _, conds in rule.blocks:
                for cond in conds:
                    self.prefixes |= {w[:-1].lower() for p in cond.phrase or () for w in
                                      p.split() if w.endswith("*")}  # fmt: skip
        self.automaton = ahocorasick.Automaton()
        strings = {s for r in self.rules for n in (*r.all_, r.any_ or ()) for s in n}
        for s in strings:
            self.automaton.add_word(s, s)
        if strings:
            self.automaton.make_automaton()
        self.size = len(strings)
        # What the facts read anywhere in an article: frame and casualty words (and the
        # sentence before, for "they" and "the sentence before names a border"), border
        # words, and the names the border fact pairs with them.
        self.fact_words = _casualty_need(lemmas) | frozenset(
            f for w in (*SHOOTING_WORDS, *ACTION_WORDS) for f in lemmas.forms(w)
        )
        self.border_words = frozenset(
            f for w in (*FACT_BORDER_WORDS, *FRAME_BORDER_WORDS) for f in lemmas.forms(w)
        )
        self.place_names = frozenset(n.lower() for n in _place_names(nlp, gazetteer))
        # Leads a sentence's number is checked against, by the strings that bring them:
        # a rule's lead for its conditions' strings (any sentence: a condition without
        # strings), the frames' own lead for the words frames are read from.
        self.leads: list[tuple[int, frozenset[str] | None]] = [(LEAD, self.fact_words)]
        for r in self.rules:
            if r.rule is not None and r.rule.lead is not None:
                needed = [n for n in r.every if n is not None]
                anything = len(needed) < len(r.every)
                self.leads.append((r.rule.lead, None if anything else frozenset().union(*needed)))
        self.rule_strings = frozenset(
            s for r in self.rules for n in (*r.every, *r.none) if n is not None for s in n
        )
        self.reach = max([_longest(r, nlp) for r in rules_list] or [1])
        self.scanner = ahocorasick.Automaton()
        for s in self.rule_strings | self.fact_words | self.border_words | self.place_names:
            self.scanner.add_word(s, s)
        self.scanner.make_automaton()

    def passes(self, text: str) -> bool:
        if self.passes_all or not self.size:
            return True
        low = text.lower()
        found = set()
        for end, s in self.automaton.iter(low):
            start = end - len(s) + 1
            if start == 0 or not low[start - 1].isalnum() or s in INNER_TOKENS or s[0] in "'’":
                found.add(s)
        return any(r.holds(found) for r in self.rules)

    def hits(self, doc: Doc, text: str) -> list[tuple[int, str]]:
        """(token, string) for every string that starts where a token of ``doc`` (the
        tokens of ``text``) starts and ends where a token ends (or anywhere, for a prefix):
        the exact version of ``passes``' test."""
        low = text.lower()
        spans = doc.to_array([IDX, LENGTH]).tolist()
        if len(low) != len(text):  # a letter whose lower case is longer ("İ")
            low, spans, at = "", [], 0
            for t in doc:
                spans.append([at, len(t.text.lower())])
                low += t.text.lower() + t.whitespace_
                at = len(low)
        starts = {a: i for i, (a, _) in enumerate(spans)}
        ends = {a + n for a, n in spans}
        out = []
        for end, s in self.scanner.iter(low):
            token = starts.get(end - len(s) + 1)
            if token is not None and (end + 1 in ends or s in self.prefixes):
                out.append((token, s))
        return out

    def pick(self, doc: Doc, text: str, starts: Sequence[int], dated: bool = True) -> Pick | None:
        """What to parse of ``doc`` (the tokens of ``text``, sentences from ``starts``), or
        None when no rule can match.

        A sentence is a candidate when it holds a string of every required condition of
        some rule (within its lead); a ``within`` window when its tokens do; an article
        rule's when the article's lead does (then every sentence that holds a string of one
        of its conditions, or of its ``none``, anywhere). With a candidate, the headline, the
        lead up to the last candidate in it (so sentences count as the parser counts them),
        every sentence a fact can be read from and the one before it, and every border
        sentence join them. Without a publication date, sentences naming a year do too (the
        latest year mentioned is the article's "now")."""
        count = len(starts)
        bounds = [*starts, len(doc)]
        sentence = [0] * len(doc)
        for i, (a, b) in enumerate(pairwise(bounds)):
            sentence[a:b] = [i] * (b - a)
        hits = self.hits(doc, text)
        found: list[set[str]] = [set() for _ in range(count)]
        for token, s in hits:
            found[sentence[token]].add(s)
        picked: set[int] = set(range(count)) if self.passes_all else set()
        # Where rules' phrases must be matched: near their strings, in the sentences the
        # rule was picked for (elsewhere the rule cannot hold); all of them without strings.
        phrase_tokens: set[int] = set()
        phrase_sentences: set[int] = set()
        for r in self.rules:
            got = self._pick_rule(r, found, hits, sentence, starts, len(doc))
            picked |= got
            if got and r.phrases is None:
                phrase_sentences |= got
            elif got and r.phrases:
                phrase_tokens |= {t for t, s in hits if s in r.phrases and sentence[t] in got}
        if not picked:
            return None
        picked.add(0)
        for i, strings in enumerate(found):
            if strings & self.fact_words:
                picked.update((i, max(0, i - 1)))
            if strings & self.border_words:
                picked.add(i)
        if not dated:
            at = doc.to_array(IDX).tolist()
            for year in _YEARS.finditer(text):
                picked.add(sentence[max(0, bisect_right(at, year.start()) - 1)])
        counted = [i for i in picked if i <= self._lead_of(found[i])]
        picked.update(range(max(counted, default=0) + 1))
        return Pick(frozenset(picked), sorted(phrase_tokens), frozenset(phrase_sentences),
                    self.reach)  # fmt: skip

    def _lead_of(self, found: set[str]) -> int:
        """The last sentence number, give or take ``MARGIN``, at which a sentence holding
        ``found`` must be numbered as the parser numbers it (its number is compared with a
        lead there), counting the sentence before it (a frame may begin in it)."""
        leads = [lead for lead, strings in self.leads if strings is None or found & strings]
        return max(leads) + MARGIN + 1 if leads else -1

    def _pick_rule(
        self,
        r: _RuleNeeds,
        found: list[set[str]],
        hits: list[tuple[int, str]],
        sentence: list[int],
        starts: Sequence[int],
        length: int,
    ) -> set[int]:
        rule = r.rule
        assert rule is not None
        count = len(found)
        zone = min(count, rule.lead + MARGIN + 1) if rule.lead is not None else count
        if rule.within is not None:
            return self._pick_windows(r, rule.within, hits, sentence, zone, length)
        if rule.scope is Scope.sentence:
            return {i for i in range(zone) if r.holds(found[i])}
        if not r.holds(set().union(*found[:zone])):
            return set()
        out: set[int] = set()
        for needs, upto in ((r.every, zone), (r.none, count)):
            if any(n is None for n in needs):
                out.update(range(upto))
                continue
            strings = frozenset().union(*(n for n in needs if n is not None))
            out |= {i for i in range(upto) if found[i] & strings}
        return out

    def _pick_windows(
        self,
        r: _RuleNeeds,
        within: int,
        hits: list[tuple[int, str]],
        sentence: list[int],
        zone: int,
        length: int,
    ) -> set[int]:
        """Sentences around each stretch of ``within`` tokens (give or take how far a match
        reaches past the words found) that holds a string of every required condition."""
        reach = within + r.slack
        mine = frozenset().union(*r.all_, r.any_ or ())
        near = [(t, s) for t, s in hits if s in mine and sentence[t] < zone]
        out: set[int] = set()
        for token, _ in near:
            lo, hi = max(0, token - reach), min(length - 1, token + reach)
            if r.holds({s for t, s in near if lo <= t <= hi}):
                out.update(range(sentence[lo], sentence[hi] + 1))
        return out


def _place_names(nlp: Language, gazetteer: Gazetteer) -> Iterator[str]:
    """Every name the gazetteer tags: countries and demonyms as written, crossings, regions."""
    for pattern in gazetteer.patterns(nlp):
        tokens = pattern["pattern"]
        attr = next(iter(tokens[0]))
        yield " ".join(t[attr] for t in tokens)
