"""Compiling rules into spaCy token patterns and matching them against a parsed article.

Phrases become ``Matcher`` patterns over lemmas (so "opened", "opens" and "open" are one
word to a rule author), never regexes over raw text: a rule then cannot match half a word.
Every rule is evaluated into a ``RuleTrace`` that records what each condition found and why
a match was dropped; matching, ``rules explain`` and the examples runner all read the same one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatch
from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span

from borderwatch.core.errors import Codes, Problem, RuleError
from borderwatch.core.models import Evidence
from borderwatch.core.models import Span as EvidenceSpan
from borderwatch.streams.modality import ModalityJudge, clause_dates, reference_year
from borderwatch.streams.reading.facts import DocFacts
from borderwatch.streams.reading.gazetteer import CROSSING, REGION, Gazetteer
from borderwatch.streams.reading.nlp import word_lemmas
from borderwatch.streams.rules.factexpr import FactTest, parse_fact
from borderwatch.streams.rules.load import RuleOrigin, RuleSet
from borderwatch.streams.rules.model import (
    GAP,
    Condition,
    CueKind,
    ExpectedFacts,
    MatchExample,
    Rule,
    Scope,
)

MAX_GAP = 5
EVIDENCE_JOIN = " … "


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
        lemmas = [lemma.lower() for lemma in word_lemmas(nlp, plain)]
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
    """A rule satisfied by one sentence (or a window, or the article) of an article."""

    rule: Rule
    evidence: Evidence


@dataclass(frozen=True)
class Context:
    """Everything a rule may test about one article."""

    doc: Doc
    facts: DocFacts
    gazetteer: Gazetteer
    source: str | None = None
    language: str | None = None
    published_year: int | None = None
    # The token ranges that were parsed, when the reading was sentence-scoped: phrases are
    # matched there only (no rule can match elsewhere; see ``scope``).
    ranges: tuple[tuple[int, int], ...] | None = None


@dataclass(frozen=True)
class CompiledCondition:
    """One condition ready to test: its Matcher key (phrases) or its parsed fact tests."""

    block: str
    index: int
    condition: Condition
    # Conditions with the same phrases (a shared @list) share one Matcher key: fewer patterns.
    phrase_key: str | None = None
    fact_tests: tuple[FactTest, ...] = ()


@dataclass(frozen=True)
class Example:
    """One of a rule's own examples: ``examples.<kind>[index]`` in the rule's YAML."""

    kind: str  # "match" or "no_match"
    index: int
    text: str
    facts: ExpectedFacts | None = None
    language: str | None = None  # declared: read by that language's lexicon unless English


@dataclass(frozen=True)
class CompiledRule:
    """A rule with everything matching, ``rules explain`` and the examples need about it."""

    rule: Rule
    conditions: tuple[CompiledCondition, ...]
    cues: dict[CueKind, frozenset[str]]
    examples: tuple[Example, ...]
    origin: RuleOrigin | None = None

    @property
    def id(self) -> str:
        return self.rule.id

    def problem(self, code: str, message: str, *loc: str | int) -> Problem:
        """A problem located at this rule's YAML (or at ``loc`` inside it), where known."""
        if self.origin is None:
            return Problem(code, message)
        return self.origin.problem(code, message, *loc)


class CompiledRuleSet(Mapping[str, CompiledRule]):
    """Compiled rules by id, in rule-file order, with the one Matcher their phrases share."""

    def __init__(self, ruleset: RuleSet, matcher: Matcher, rules: Iterable[CompiledRule]) -> None:
        self.ruleset = ruleset
        self.matcher = matcher
        self._by_id = {rule.id: rule for rule in rules}

    def __getitem__(self, rule_id: str) -> CompiledRule:
        return self._by_id[rule_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)

    @property
    def version(self) -> str:
        return self.ruleset.version

    def rule(self, rule_id: str) -> CompiledRule:
        """The rule, or ``RuleError`` naming the ids there are."""
        found = self._by_id.get(rule_id)
        if found is None:
            known = ", ".join(self._by_id)
            raise RuleError(Problem.of(Codes.R011, rule_id=rule_id, known=known))
        return found

    def trace(self, rule_id: str, ctx: Context) -> RuleTrace:
        """One rule on one article, every intermediate result kept (examples, explain)."""
        return trace_rule(self.rule(rule_id), ctx, DocIndex.of(self, ctx))


def _examples(rule: Rule) -> Iterator[Example]:
    for i, example in enumerate(rule.examples.match):
        if isinstance(example, MatchExample):
            yield Example("match", i, example.text, example.facts, example.language)
        else:
            yield Example("match", i, example)
    for i, other in enumerate(rule.examples.no_match):
        if isinstance(other, str):
            yield Example("no_match", i, other)
        else:
            yield Example("no_match", i, other.text, language=other.language)


def compile_rules(ruleset: RuleSet, nlp: Language) -> CompiledRuleSet:
    matcher = Matcher(nlp.vocab, validate=True)
    by_content: dict[tuple[str, ...], str] = {}

    def condition(rule: Rule, block: str, c: int, cond: Condition) -> CompiledCondition:
        if cond.phrase is not None:
            content = tuple(sorted(cond.phrase))
            key = by_content.get(content)
            if key is None:
                key = by_content[content] = f"{rule.id}.{block}.{c}"
                matcher.add(key, [phrase_pattern(p, nlp) for p in content])
            return CompiledCondition(block, c, cond, phrase_key=key)
        if cond.fact is not None:
            tests = tuple(parse_fact(e) for e in cond.fact)
            return CompiledCondition(block, c, cond, fact_tests=tests)
        return CompiledCondition(block, c, cond)

    compiled = [
        CompiledRule(
            rule,
            tuple(
                condition(rule, block, c, cond)
                for block, conditions in rule.blocks
                for c, cond in enumerate(conditions)
            ),
            ruleset.cues_for(rule),
            tuple(_examples(rule)),
            ruleset.origins.get(rule.id),
        )
        for rule in ruleset.rules
    ]
    return CompiledRuleSet(ruleset, matcher, compiled)


@dataclass
class CondTrace:
    """What one condition found in the article, before and after the modality filter."""

    compiled: CompiledCondition
    found: list[Span] = field(default_factory=list)
    dropped: list[tuple[Span, str]] = field(default_factory=list)

    @property
    def block(self) -> str:
        return self.compiled.block

    @property
    def index(self) -> int:
        return self.compiled.index

    @property
    def condition(self) -> Condition:
        return self.compiled.condition


@dataclass
class RuleTrace:
    rule: Rule
    conditions: list[CondTrace]
    filtered: str | None = None  # why the rule did not apply to this article at all
    hit: Hit | None = None
    units_tried: int = 0


class Matches:
    """Matcher output for one document, by condition key."""

    def __init__(
        self, matcher: Matcher, doc: Doc, ranges: Sequence[tuple[int, int]] | None = None
    ) -> None:
        self.by_key: dict[str, list[Span]] = {}
        if not len(matcher):  # a rule set of entity and fact conditions only
            return
        parts = [(0, doc)] if ranges is None else [(a, doc[a:b]) for a, b in ranges]
        for a, part in parts:
            for match_id, start, end in matcher(part):
                key = doc.vocab.strings[match_id]
                self.by_key.setdefault(key, []).append(doc[a + start : a + end])


def _filtered(rule: Rule, ctx: Context) -> str | None:
    if rule.languages and (ctx.language or "en") not in rule.languages:
        return f"language {ctx.language or 'en'!r} not in {rule.languages}"
    source = ctx.source or ""
    if rule.sources and not any(fnmatch(source, g) for g in rule.sources):
        return f"source {source!r} matches none of {rule.sources}"
    if any(fnmatch(source, g) for g in rule.exclude_sources):
        return f"source {source!r} is excluded"
    return None


def _fact_spans(tests: list[FactTest], ctx: Context, gazetteer: Gazetteer) -> list[Span]:
    if tests[0].record == "casualty":
        return [
            span
            for casualty, span in ctx.facts.casualties
            if all(t.holds(getattr(casualty, t.field)) for t in tests)
        ]
    if tests[0].record == "country":
        return [span for code, span in ctx.facts.countries if all(t.holds(code) for t in tests)]
    if tests[0].record in ("shooting", "border_action"):
        frames = ctx.facts.shootings if tests[0].record == "shooting" else ctx.facts.border_actions
        return [s for frame, s in frames if all(t.holds(getattr(frame, t.field)) for t in tests)]
    label = CROSSING if tests[0].record == "crossing" else REGION
    ents = [ent for ent in ctx.doc.ents if ent.label_ == label]
    return [ent for ent in ents if all(t.holds(ent.ent_id_) for t in tests)]


def _rejected_frames(tests: list[FactTest], ctx: Context) -> list[tuple[Span, str]]:
    """Frames of the tested kind that fail a test: "border_actions.status is threatened"."""
    record = tests[0].record
    if record not in ("shooting", "border_action"):
        return []
    frames = ctx.facts.shootings if record == "shooting" else ctx.facts.border_actions
    out: list[tuple[Span, str]] = []
    for frame, span in frames:
        failed = [t for t in tests if not t.holds(getattr(frame, t.field))]
        if failed:
            t = failed[0]
            out.append((span, f"{t.path} is {getattr(frame, t.field)}"))
    return out


def _entity_spans(cond: Condition, ctx: Context) -> list[Span]:
    labels = set(cond.entity or ())
    wanted = {v.casefold() for v in cond.in_} if cond.in_ is not None else None
    out = []
    for ent in ctx.doc.ents:
        if ent.label_ not in labels:
            continue
        if wanted is not None:
            values = {ent.ent_id_, *ctx.gazetteer.countries_of(ent), ent.text} - {""}
            if not {v.casefold() for v in values} & wanted:
                continue
        out.append(ent)
    return out


def _condition_spans(cond: CompiledCondition, ctx: Context, matches: Matches) -> list[Span]:
    if cond.phrase_key is not None:
        return matches.by_key.get(cond.phrase_key, [])
    if cond.condition.entity is not None:
        return _entity_spans(cond.condition, ctx)
    return _fact_spans(list(cond.fact_tests), ctx, ctx.gazetteer)


class Sentences:
    def __init__(self, doc: Doc) -> None:
        self.spans = list(doc.sents)
        self.index = [0] * len(doc)
        for i, sent in enumerate(self.spans):
            for t in range(sent.start, sent.end):
                self.index[t] = i

    def of(self, span: Span) -> int:
        return self.index[span.start]


def _evidence(sents: Sentences, chosen: Sequence[int], spans: Iterable[Span]) -> Evidence:
    """The sentences that satisfied the rule, with the matched words as offsets into them."""
    parts: list[str] = []
    offsets: dict[int, tuple[int, int]] = {}  # sentence -> (offset in evidence, lstrip)
    pos = 0
    for i in sorted(set(chosen)):
        raw = sents.spans[i].text
        text = raw.strip()
        if parts:
            pos += len(EVIDENCE_JOIN)
        offsets[i] = (pos, len(raw) - len(raw.lstrip()))
        parts.append(text)
        pos += len(text)
    seen: list[tuple[int, int]] = []
    out: list[EvidenceSpan] = []
    for span in sorted(spans, key=lambda s: (s.start_char, -len(s))):
        i = sents.of(span)
        if i not in offsets:
            continue
        base, lstrip = offsets[i]
        sent_start = sents.spans[i].start_char + lstrip
        start = base + span.start_char - sent_start
        end = base + min(span.end_char, sents.spans[i].end_char) - sent_start
        if any(a <= start and end <= b for a, b in seen):
            continue
        seen.append((start, end))
        label = span.label_ or "PHRASE"
        out.append(EvidenceSpan(start=start, end=end, text=span.text, label=label))
    return Evidence(sentence=EVIDENCE_JOIN.join(parts), spans=out)


def _units(rule: Rule, sents: Sentences, positive: list[Span]) -> list[tuple[int, int]]:
    """Token ranges in which all conditions must hold together."""
    doc_len = len(sents.index)
    if rule.within is not None:
        starts = sorted({s.start for s in positive})
        return [(s, min(s + rule.within, doc_len)) for s in starts]
    if rule.scope is Scope.article:
        return [(0, doc_len)]
    used = sorted({sents.of(s) for s in positive})
    return [(sents.spans[i].start, sents.spans[i].end) for i in used]


@dataclass
class DocIndex:
    """Per-document work shared by every rule: matcher output, sentences, dates, "now"."""

    matches: Matches
    sents: Sentences
    dates: dict[int, list[Span]]
    ref_year: int | None

    @classmethod
    def of(cls, rules: CompiledRuleSet, ctx: Context) -> DocIndex:
        return cls(
            Matches(rules.matcher, ctx.doc, ctx.ranges),
            Sentences(ctx.doc),
            clause_dates(ctx.doc),
            reference_year(ctx.doc, ctx.published_year),
        )


def trace_rule(compiled: CompiledRule, ctx: Context, index: DocIndex) -> RuleTrace:
    """Evaluate one rule on one article, keeping every intermediate result."""
    rule = compiled.rule
    matches, sents = index.matches, index.sents
    traces = [CondTrace(cond) for cond in compiled.conditions]
    result = RuleTrace(rule, traces, filtered=_filtered(rule, ctx))
    if result.filtered:
        return result
    judge = ModalityJudge(compiled.cues, index.ref_year, index.dates)
    accepted = set(rule.accept)
    candidates = [_condition_spans(t.compiled, ctx, matches) for t in traces]
    matched = {
        i
        for t, spans in zip(traces, candidates, strict=True)
        if t.block != "none" and t.condition.phrase is not None
        for span in spans
        for i in range(span.start, span.end)
    }
    for t, spans in zip(traces, candidates, strict=True):
        for span in spans:
            if t.block != "none" and rule.lead is not None and sents.of(span) > rule.lead:
                t.dropped.append((span, f"after the lead (sentence {sents.of(span)})"))
                continue
            if t.block != "none" and t.condition.entity is None:
                denied = judge.of(span, matched) - accepted
                if denied:
                    t.dropped.append((span, ", ".join(sorted(m.value for m in denied))))
                    continue
            t.found.append(span)
    for t in traces:  # frames the parse read but the rule rejects, and why (rules explain)
        if t.block != "none" and t.compiled.fact_tests:
            t.dropped.extend(_rejected_frames(list(t.compiled.fact_tests), ctx))
    positive = [s for t in traces if t.block != "none" for s in t.found]
    for start, end in _units(rule, sents, positive):
        result.units_tried += 1
        used = _satisfied(traces, sents, start, end, rule)
        if used is not None:
            chosen = [sents.of(s) for s in used]
            result.hit = Hit(rule, _evidence(sents, chosen, used))
            break
    return result


def _satisfied(
    traces: list[CondTrace], sents: Sentences, start: int, end: int, rule: Rule
) -> list[Span] | None:
    """The spans that satisfy the rule within tokens [start, end), or None."""

    def inside(span: Span) -> bool:
        return start <= span.start and span.end <= end

    used: list[Span] = []
    any_spans: list[Span] = []
    has_any = False
    for t in traces:
        here = [s for s in t.found if inside(s)]
        if t.block == "all":
            if not here:
                return None
            used.extend(here if rule.scope is not Scope.article else here[:1])
        elif t.block == "any":
            has_any = True
            any_spans.extend(here if rule.scope is not Scope.article else here[:1])
    if has_any and not any_spans:
        return None
    used.extend(any_spans)
    # "none" is judged over the unit: the sentence, the window or the article.
    lo, hi = start, end
    for t in traces:
        if t.block == "none" and any(lo <= s.start and s.end <= hi for s in t.found):
            return None
    return used


def match(rules: CompiledRuleSet, ctx: Context) -> list[Hit]:
    """Every rule that holds, with the first sentence (or window) that satisfies it."""
    index = DocIndex.of(rules, ctx)
    traces = (trace_rule(compiled, ctx, index) for compiled in rules.values())
    return [trace.hit for trace in traces if trace.hit is not None]
