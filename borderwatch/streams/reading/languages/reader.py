"""The proximity reader for non-English articles (EMM-style): stems in one sentence.

English has a parser; these languages do not, here. So a category is read as cue words from
named groups co-occurring in one sentence of the headline or lead (a border word, an opening
verb; a soldier word, a killing verb), a sentence with a negation, plan or background cue does
not count, and article-wide vetoes keep known traps out (Doctors Without Borders, sport
shooting, tourists). Facts are read the same way: countries and crossings from the lexicon's
names, casualty counts from digits and number words next to a victims' word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from borderwatch.core.models import (
    Article,
    Border,
    Casualty,
    Evidence,
    Facts,
)
from borderwatch.core.models import Span as EvidenceSpan
from borderwatch.streams.reading.facts import DocFacts
from borderwatch.streams.reading.gazetteer import Gazetteer
from borderwatch.streams.reading.languages.lexicon import LanguageLexicon, Stem, fold, stem
from borderwatch.streams.rules.model import Rule

_SENT_END = re.compile(r"(?<=[.!?؟;…])\s+|\n+")
_EDGE = re.compile(r"^[\W_]+|[\W_]+$", re.UNICODE)
_DIGITS = re.compile(r"^\d{1,3}(?:[.,\u00a0 ]\d{3})*$|^\d+$")
NUMBER_REACH = 4  # tokens between a count and the victims' word
COUNT_GROUPS = {"troops": "soldier", "victims": "migrant"}
KILL_GROUPS = {"kill": "killed", "wound": "wounded"}


@dataclass(frozen=True)
class Token:
    text: str
    start: int  # character offsets in the sentence
    end: int
    forms: tuple[str, ...]  # folded, and without the language's clitic prefixes


@dataclass(frozen=True)
class Sentence:
    text: str
    offset: int
    tokens: tuple[Token, ...]


@dataclass(frozen=True)
class ForeignHit:
    category: str
    sentence: Sentence
    spans: tuple[tuple[Token, str], ...]  # (token, group) marked in the evidence


@dataclass(frozen=True)
class Reading:
    doc: Doc
    doc_facts: DocFacts
    hits: list[ForeignHit]


class ForeignReader:
    """One per rule set: lexicons compiled to stems, a blank spaCy tokenizer per language."""

    def __init__(self, lexicons: Mapping[str, LanguageLexicon], gazetteer: Gazetteer) -> None:
        self.lexicons = dict(lexicons)
        self.gazetteer = gazetteer
        self._nlp: dict[str, Language] = {}
        self._groups = {
            lang: {name: [stem(w) for w in words] for name, words in lx.words.items()}
            for lang, lx in self.lexicons.items()
        }
        self._cues = {
            lang: {name: [stem(w) for w in words] for name, words in lx.cues.items()}
            for lang, lx in self.lexicons.items()
        }
        self._countries = {
            lang: [(code, stem(w)) for code, words in lx.countries.items() for w in words]
            for lang, lx in self.lexicons.items()
        }
        self._crossings = {
            lang: [(cid, stem(w)) for cid, words in lx.crossings.items() for w in words]
            for lang, lx in self.lexicons.items()
        }
        self._numbers = {
            lang: {fold(w.lstrip("=")): n for w, n in lx.numbers.items()}
            for lang, lx in self.lexicons.items()
        }

    def reads(self, language: str | None) -> bool:
        return language is not None and language in self.lexicons

    def nlp(self, language: str) -> Language:
        if language not in self._nlp:
            self._nlp[language] = spacy.blank(language)
        return self._nlp[language]

    def sentences(self, language: str, doc: Doc) -> list[Sentence]:
        clitics = sorted((fold(c) for c in self.lexicons[language].clitics), key=len, reverse=True)
        text = doc.text
        cuts = [m for m in _SENT_END.finditer(text) if not _abbreviation(text, m.start())]
        bounds = [0] + [m.end() for m in cuts] + [len(text)]
        out: list[Sentence] = []
        tokens = iter(doc)
        pending = next(tokens, None)
        for start, end in pairwise(bounds):
            chunk = text[start:end].strip()
            if not chunk:
                continue
            offset = start + text[start:end].index(chunk)
            toks: list[Token] = []
            while pending is not None and pending.idx < end:
                if pending.idx >= start:
                    toks.extend(self._token(pending.text, pending.idx - offset, clitics))
                pending = next(tokens, None)
            out.append(Sentence(chunk, offset, tuple(toks)))
        return out

    @staticmethod
    def _token(raw: str, start: int, clitics: Sequence[str]) -> Iterable[Token]:
        core = _EDGE.sub("", raw)
        if not core:
            return []
        lead = raw.index(core)
        folded = fold(core)
        forms = [folded]
        for c in clitics:
            if folded.startswith(c) and len(folded) - len(c) >= 2:
                forms.append(folded[len(c) :])
        return [Token(core, start + lead, start + lead + len(core), tuple(forms))]

    def read(self, article: Article, language: str, rules: Mapping[str, Rule]) -> Reading:
        lexicon = self.lexicons[language]
        doc = self.nlp(language)(article.body)
        sents = self.sentences(language, doc)
        groups = self._groups[language]
        hits: list[ForeignHit] = []
        article_groups = {
            name for name, stems in groups.items() if any(_find(s.tokens, stems) for s in sents)
        }
        for category, cues in lexicon.categories.items():
            if category not in rules or article_groups & set(cues.veto):
                continue
            for sentence in sents[: cues.lead + 1]:
                if self._disqualified(language, sentence, cues.accept):
                    continue
                spans = _pattern_spans(sentence, cues.patterns, groups)
                if spans is not None:
                    hits.append(ForeignHit(category, sentence, spans))
                    break
        facts = self._facts(language, sents, hits)
        return Reading(doc, DocFacts(facts=facts, casualties=[], countries=[]), hits)

    def _disqualified(self, language: str, sentence: Sentence, accept: Sequence[str]) -> bool:
        return any(
            _find(sentence.tokens, stems)
            for name, stems in self._cues[language].items()
            if name not in accept
        )

    def _facts(self, language: str, sents: list[Sentence], hits: list[ForeignHit]) -> Facts:
        countries: list[str] = []
        crossings: list[str] = []
        for sentence in sents:
            for code, entry in self._countries[language]:
                if code not in countries and _find(sentence.tokens, [entry]):
                    countries.append(code)
            for cid, entry in self._crossings[language]:
                if cid not in crossings and _find(sentence.tokens, [entry]):
                    crossings.append(cid)
        border = None
        if crossings and crossings[0] in self.gazetteer.crossings:
            crossing = self.gazetteer.crossings[crossings[0]]
            border = Border(countries=list(crossing.countries), crossing=crossing.id,
                            name=crossing.name, lat=crossing.lat, lon=crossing.lon)  # fmt: skip
        elif len(countries) >= 2:
            border = Border(countries=countries[:2])
        casualties = [
            c
            for hit in hits
            if hit.category in ("troop_casualties", "border_shooting")
            for c in self._casualties(language, hit.sentence)
        ]
        return Facts(
            countries=countries, crossings=crossings, border=border, casualties=casualties[:4]
        )

    def _casualties(self, language: str, sentence: Sentence) -> list[Casualty]:
        groups = self._groups[language]
        numbers = self._numbers[language]
        outcome = next(
            (
                o
                for g, o in KILL_GROUPS.items()
                if g in groups and _find(sentence.tokens, groups[g])
            ),
            None,
        )
        if outcome is None:
            return []
        out: list[Casualty] = []
        toks = sentence.tokens
        for group, who in COUNT_GROUPS.items():
            for i in _find(toks, groups.get(group, [])):
                count = _count_before(toks, i, numbers)
                if count is not None:
                    out.append(Casualty(count=count, who=who, outcome=outcome,
                                        sentence=sentence.text))  # fmt: skip
                    break
        return out


def _abbreviation(text: str, end: int) -> bool:
    """'10 tys. Rohingjów', '8,5 proc.': a short lower-case word before the stop is an
    abbreviation, not a sentence end (no line break there)."""
    if end == 0 or text[end - 1] != "." or "\n" in text[end : end + 2]:
        return False
    word = text[: end - 1].rsplit(None, 1)[-1] if text[: end - 1].strip() else ""
    return 0 < len(word) <= 4 and word.isalpha() and word.islower()


def _count_before(toks: Sequence[Token], i: int, numbers: Mapping[str, int]) -> int | None:
    for j in range(i - 1, max(-1, i - NUMBER_REACH - 1), -1):
        text = toks[j].text
        if _DIGITS.match(text):
            return int(re.sub(r"\D", "", text))
        for form in toks[j].forms:
            if form in numbers:
                return numbers[form]
    return None


def _matches(token: Token, word: str, exact: bool) -> bool:
    return any((f == word) if exact else f.startswith(word) for f in token.forms)


def _find(toks: Sequence[Token], stems: Sequence[Stem]) -> list[int]:
    """Token indices where any of ``stems`` starts (each of its words matching in a row)."""
    found: list[int] = []
    for i in range(len(toks)):
        for s in stems:
            n = len(s.words)
            if i + n <= len(toks) and all(
                _matches(toks[i + k], s.words[k], s.exact[k]) for k in range(n)
            ):
                found.append(i)
                break
    return found


def _pattern_spans(
    sentence: Sentence, patterns: Sequence[Sequence[str]], groups: Mapping[str, list[Stem]]
) -> tuple[tuple[Token, str], ...] | None:
    for pattern in patterns:
        spans: list[tuple[Token, str]] = []
        for group in pattern:
            found = _find(sentence.tokens, groups[group.lstrip("!")])
            if group.startswith("!"):
                if found:
                    break
                continue
            if not found:
                break
            spans.append((sentence.tokens[found[0]], group))
        else:
            return tuple(spans)
    return None


def evidence(hit: ForeignHit) -> Evidence:
    """The sentence in its own language, the matched words marked."""
    spans = sorted({(t.start, t.end, t.text, g) for t, g in hit.spans}, key=lambda s: (s[0], s[1]))
    return Evidence(
        sentence=hit.sentence.text,
        spans=[EvidenceSpan(start=a, end=b, text=t, label=g) for a, b, t, g in spans],
    )
