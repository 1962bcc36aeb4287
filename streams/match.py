"""Compiling rules into spaCy token patterns and matching them against a parsed article.

Phrases become ``Matcher`` patterns over lemmas (so "opened", "opens" and "open" are one
word to a rule author), never regexes over raw text: a rule then cannot match half a word.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span

from borderwatch.models import Evidence
from borderwatch.models import Span as EvidenceSpan
from streams.rules import GAP, Condition, Rule, RuleSet, Scope

MAX_GAP = 5
BLOCKS = ("all", "any", "none")


def _variants(*words: str) -> list[str]:
    out: dict[str, None] = {}
    for word in words:
        for form in (word, word.lower(), word.capitalize(), word.upper()):
            out.setdefault(form, None)
    return list(out)


def phrase_pattern(phrase: str, nlp: Language) -> list[dict[str, Any]]:
    """One phrase as a Matcher pattern.

    Plain words match by lemma (lemmatised in the phrase's own context, so "shot" also means
    "shoot"); ``word*`` matches a prefix of the surface form; ``=word`` matches exactly that
    form (for "=closer", which the lemmatiser would turn into "close"); ``...`` is a short gap.
    Words are split with the pipeline's own tokenizer, so "tear-gas" is three tokens as in text.
    """
    slots: list[tuple[str, str]] = []  # (kind, text): kind in gap, prefix, exact, lemma
    for word in phrase.split():
        if word == GAP:
            slots.append(("gap", word))
        elif word.endswith("*"):
            slots.append(("prefix", word[:-1].lower()))
        else:
            kind = "exact" if word.startswith("=") else "lemma"
            slots.extend((kind, t.text) for t in nlp.tokenizer(word.lstrip("=")))
    plain = [text for kind, text in slots if kind == "lemma"]
    lemmas: list[str] = []
    if plain:
        lemmas = [t.lemma_.lower() for t in nlp(Doc(nlp.vocab, words=plain))]
    pattern: list[dict[str, Any]] = []
    next_lemma = iter(lemmas)
    for kind, text in slots:
        if kind == "gap":
            pattern.append({"OP": f"{{0,{MAX_GAP}}}"})
        elif kind == "prefix":
            pattern.append({"LOWER": {"REGEX": "^" + re.escape(text)}})
        elif kind == "exact":
            pattern.append({"LOWER": text.lower()})
        else:
            pattern.append({"LEMMA": {"IN": _variants(text, next(next_lemma))}})
    return pattern


@dataclass(frozen=True)
class Hit:
    """A rule satisfied by one sentence (or the whole article, for article scope)."""

    rule: Rule
    evidence: Evidence


@dataclass
class CompiledRules:
    ruleset: RuleSet
    matcher: Matcher
    keys: dict[tuple[int, str, int], str] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return self.ruleset.version


def _cond_key(rule_index: int, block: str, cond_index: int) -> str:
    return f"r{rule_index}.{block}.{cond_index}"


def _blocks(rule: Rule) -> Iterable[tuple[str, list[Condition]]]:
    return (("all", rule.all_), ("any", rule.any_), ("none", rule.none_))


def compile_rules(ruleset: RuleSet, nlp: Language) -> CompiledRules:
    matcher = Matcher(nlp.vocab, validate=True)
    compiled = CompiledRules(ruleset, matcher)
    for r, rule in enumerate(ruleset.rules):
        for block, conditions in _blocks(rule):
            for c, cond in enumerate(conditions):
                if cond.phrase is None:
                    continue
                key = _cond_key(r, block, c)
                compiled.keys[(r, block, c)] = key
                matcher.add(key, [phrase_pattern(p, nlp) for p in cond.phrase])
    return compiled


@dataclass
class _SentenceView:
    """What matched inside one scope (a sentence, or the whole article)."""

    span: Span
    phrase_hits: dict[str, list[Span]] = field(default_factory=lambda: defaultdict(list))
    ents: list[Span] = field(default_factory=list)

    def holds(self, key: str | None, cond: Condition) -> list[Span]:
        if cond.entity is not None:
            return [e for e in self.ents if e.label_ in cond.entity]
        return self.phrase_hits.get(key or "", [])


def _views(doc: Doc, scope: Scope, matches: list[tuple[int, int, int]]) -> list[_SentenceView]:
    if scope is Scope.article:
        views = [_SentenceView(doc[:])]
        index = {0: views[0]}
        sent_of = dict.fromkeys(range(len(doc)), 0)
    else:
        views = [_SentenceView(s) for s in doc.sents]
        index = {i: v for i, v in enumerate(views)}
        sent_of = {t.i: i for i, v in enumerate(views) for t in v.span}
    for match_id, start, end in matches:
        view = index[sent_of[start]]
        view.phrase_hits[doc.vocab.strings[match_id]].append(doc[start:end])
    for ent in doc.ents:
        index[sent_of[ent.start]].ents.append(ent)
    return views


def _evidence(view: _SentenceView, spans: list[Span]) -> Evidence:
    base = view.span.start_char
    text = view.span.text
    seen: set[tuple[int, int]] = set()
    out: list[EvidenceSpan] = []
    for span, label in sorted(
        ((s, s.label_ or "PHRASE") for s in spans), key=lambda x: (x[0].start_char, -len(x[0]))
    ):
        start, end = span.start_char - base, span.end_char - base
        if any(a <= start and end <= b for a, b in seen):
            continue
        seen.add((start, end))
        out.append(EvidenceSpan(start=start, end=end, text=span.text, label=label))
    lstrip = len(text) - len(text.lstrip())
    if lstrip:
        out = [s.model_copy(update={"start": s.start - lstrip, "end": s.end - lstrip}) for s in out]
    return Evidence(sentence=text.strip(), spans=out)


def _satisfied(rule: Rule, r: int, view: _SentenceView, compiled: CompiledRules) -> list[Span]:
    """The spans that satisfy the rule in this view, or [] when it does not hold."""
    spans: list[Span] = []
    for c, cond in enumerate(rule.all_):
        got = view.holds(compiled.keys.get((r, "all", c)), cond)
        if not got:
            return []
        spans.extend(got)
    if rule.any_:
        any_spans = [
            s
            for c, cond in enumerate(rule.any_)
            for s in view.holds(compiled.keys.get((r, "any", c)), cond)
        ]
        if not any_spans:
            return []
        spans.extend(any_spans)
    for c, cond in enumerate(rule.none_):
        if view.holds(compiled.keys.get((r, "none", c)), cond):
            return []
    return spans


def match(compiled: CompiledRules, doc: Doc) -> list[Hit]:
    """Every rule that holds, with the first sentence that satisfies it as evidence."""
    matches = compiled.matcher(doc)
    views_by_scope: dict[Scope, list[_SentenceView]] = {}
    hits: list[Hit] = []
    for r, rule in enumerate(compiled.ruleset.rules):
        if rule.scope not in views_by_scope:
            views_by_scope[rule.scope] = _views(doc, rule.scope, matches)
        for view in views_by_scope[rule.scope]:
            spans = _satisfied(rule, r, view, compiled)
            if spans:
                hits.append(Hit(rule, _evidence(view, spans)))
                break
    return hits
