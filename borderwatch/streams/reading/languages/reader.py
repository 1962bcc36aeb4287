"""The proximity reader for non-English articles (EMM-style): stems in one sentence.

English has a parser; these languages do not, here. So a category is read as cue words from
named groups co-occurring in one sentence of the headline or lead (a border word, an opening
verb; a soldier word, a killing verb), a sentence with a negation, plan or background cue does
not count, and vetoes in the headline or in the sentence keep known traps out (Doctors
Without Borders, sport shooting, tourists). Facts are read the same way: countries and
crossings from the lexicon's names, casualty counts from digits and number words next to a
victims' word.

A group's entry may hold ``...`` (up to ``GAP_REACH`` words between: "obligan ... volver" reads
"obligan a otros a volver"), and an entry written ``-phrase`` takes the words it covers out
of the group ("police des frontières" is a guard, not a border). In a pattern, ``#group`` is a
word of the group with a count just before it ("five soldiers": the counted are casualties,
not the shooters), ``!`` forbids, a category's ``near`` bounds how many words its pattern's
words may span, and its ``need`` names groups one of which the article must hold. A year
before the article's own, or a month two to five months before its own, names the past
(historical).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
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
from borderwatch.streams.reading.languages.countries import Name, NameTable, country_names
from borderwatch.streams.reading.languages.lexicon import LanguageLexicon, Stem, fold, stem
from borderwatch.streams.rules.model import Rule

_SENT_END = re.compile(r"(?<=[.!?؟;…])\s+|\n+")
_EDGE = re.compile(r"^[\W_]+|[\W_]+$", re.UNICODE)
_DIGITS = re.compile(r"^\d{1,3}(?:[.,\u00a0 ]\d{3})*$|^\d+$")
NUMBER_REACH = 4  # tokens between a count and the victims' word
COUNTED_REACH = 2  # "5 soldiers", "five Chadian soldiers": a count this close marks the counted
GAP = "..."
GAP_REACH = 5  # words a gap in an entry may skip
_YEAR = re.compile(r"^(?:19|20)\d\d$")
MONTHS_BACK = (2, 5)  # a month named this many months before the article's is background
COUNT_GROUPS = {"troops": "soldier", "victims": "migrant"}
KILL_GROUPS = {"kill": "killed", "wound": "wounded"}
CASUALTY_CATEGORIES = ("troop_casualties", "border_shooting")
CASUALTY_LEAD = 6  # sentences after the headline whose counts join a casualty hit's


@dataclass(frozen=True)
class Token:
    text: str
    start: int  # character offsets in the sentence
    end: int
    forms: tuple[str, ...]  # folded, and without the language's clitic prefixes


@dataclass(frozen=True)
class Group:
    """A named group's entries: words that count, and phrases whose words do not. ``stems``
    are folded plainly (what the screen looks for); a language with distinct letters matches
    by ``keep``, the same entries folded keeping those letters."""

    stems: tuple[Stem, ...]
    without: tuple[Stem, ...] = ()
    keep: tuple[Stem, ...] | None = None
    keep_without: tuple[Stem, ...] = ()

    @property
    def matching(self) -> tuple[tuple[Stem, ...], tuple[Stem, ...]]:
        if self.keep is None:
            return self.stems, self.without
        return self.keep, self.keep_without

    def plus(self, entries: Sequence[Stem], folder: Callable[[str], str]) -> Group:
        """The group with more entries (named crossings), folded both ways."""
        keep = (
            None
            if self.keep is None
            else self.keep + tuple(_stem(e.written, folder) for e in entries)
        )
        return Group(self.stems + tuple(entries), self.without, keep, self.keep_without)


def group(entries: Iterable[str], folder: Callable[[str], str] = fold) -> Group:
    words = list(entries)
    plus = tuple(stem(e) for e in words if not e.startswith("-"))
    minus = tuple(stem(e[1:]) for e in words if e.startswith("-"))
    if folder is fold:
        return Group(plus, minus)
    keep = tuple(_stem(e, folder) for e in words if not e.startswith("-"))
    keep_minus = tuple(_stem(e[1:], folder) for e in words if e.startswith("-"))
    return Group(plus, minus, keep, keep_minus)


def _stem(entry: str, folder: Callable[[str], str]) -> Stem:
    if folder is fold:
        return stem(entry)
    parts = entry.split()
    words = tuple(folder(p.lstrip("=")) for p in parts)
    return Stem(words, tuple(p.startswith("=") for p in parts), entry)


def folder(distinct: str) -> Callable[[str], str]:
    """``fold``, but keeping the given letters apart from their plain ones (Turkish folds
    'öldü' to 'oldu' and 'kişi' to 'kisi', a prefix of 'kısıtlama', without this)."""
    if not distinct:
        return fold
    keep = {ord(c): chr(0xE000 + i) for i, c in enumerate(distinct)}
    back = {0xE000 + i: c for i, c in enumerate(distinct)}

    def folded(text: str) -> str:
        return fold(text.lower().translate(keep)).translate(back)

    return folded


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


def crossing_names(lexicon: LanguageLexicon, gazetteer: Gazetteer) -> list[tuple[str, str]]:
    """(crossing id, name) for every name the reader reads a crossing by: the lexicon's own,
    and in a Latin-script language the gazetteer's too (they are written in its letters)."""
    names = [(cid, name) for cid, names in lexicon.crossings.items() for name in names]
    if lexicon.script == "latin":
        names += [(c.id, n) for c in gazetteer.crossings.values() for n in c.names if "–" not in n]
    return names


class ForeignReader:
    """One per rule set: lexicons compiled to stems, a blank spaCy tokenizer per language."""

    def __init__(self, lexicons: Mapping[str, LanguageLexicon], gazetteer: Gazetteer) -> None:
        self.lexicons = dict(lexicons)
        self.gazetteer = gazetteer
        self._nlp: dict[str, Language] = {}
        self._folders = {lang: folder(lx.distinct) for lang, lx in self.lexicons.items()}
        self._groups = {
            lang: {name: group(words, self._folders[lang]) for name, words in lx.words.items()}
            for lang, lx in self.lexicons.items()
        }
        self._cues = {
            lang: {name: group(words, self._folders[lang]) for name, words in lx.cues.items()}
            for lang, lx in self.lexicons.items()
        }
        self._countries = {  # the lexicon's names, then pycountry's and the gazetteer's
            lang: country_names(lang, lx, gazetteer) for lang, lx in self.lexicons.items()
        }
        self._crossings = {
            lang: [(cid, stem(name)) for cid, name in crossing_names(lx, gazetteer)]
            for lang, lx in self.lexicons.items()
        }
        self._numbers = {
            lang: {fold(w.lstrip("=~")): n for w, n in lx.numbers.items()}
            for lang, lx in self.lexicons.items()
        }
        self._vague = {
            lang: {fold(w.lstrip("=~")) for w in lx.numbers if w.startswith("~")}
            for lang, lx in self.lexicons.items()
        }
        self._months = {
            lang: [(stem(w), n) for w, n in lx.months.items()] for lang, lx in self.lexicons.items()
        }
        for lang, lx in self.lexicons.items():
            self._name_crossings_as_border(lang, lx)
        self._crossing_tables: dict[str, NameTable] = {}

    def _name_crossings_as_border(self, lang: str, lexicon: LanguageLexicon) -> None:
        """A named crossing is a border word ("Rafah will open")."""
        border = self._groups[lang].get("border")
        if border is not None:
            named = tuple(entry for _, entry in self._crossings[lang])
            self._groups[lang]["border"] = border.plus(named, self._folders[lang])

    def _crossing_table(self, language: str) -> NameTable:
        """The crossings' names indexed by their first letters, as countries are: a
        Latin-script language reads some 240 of them (the gazetteer's too), which one by one
        per sentence were half of such an article's reading."""
        table = self._crossing_tables.get(language)
        if table is None:
            entries = [Name(cid, entry) for cid, entry in self._crossings[language]]
            table = self._crossing_tables[language] = NameTable(language, lambda: entries)
        return table

    def reads(self, language: str | None) -> bool:
        return language is not None and language in self.lexicons

    def nlp(self, language: str) -> Language:
        if language not in self._nlp:
            self._nlp[language] = spacy.blank(language)
        return self._nlp[language]

    def sentences(self, language: str, doc: Doc) -> list[Sentence]:
        clitics = sorted((fold(c) for c in self.lexicons[language].clitics), key=len, reverse=True)
        keep = self._folders[language]
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
                    toks.extend(self._token(pending.text, pending.idx - offset, clitics, keep))
                pending = next(tokens, None)
            out.append(Sentence(chunk, offset, tuple(toks)))
        return out

    @staticmethod
    def _token(
        raw: str, start: int, clitics: Sequence[str], keep: Callable[[str], str] = fold
    ) -> Iterable[Token]:
        core = _EDGE.sub("", raw)
        if not core:
            return []
        lead = raw.index(core)
        folded = fold(core)
        forms = [folded]
        for c in clitics:
            if folded.startswith(c) and len(folded) - len(c) >= 2:
                forms.append(folded[len(c) :])
        if keep is not fold and (distinct := keep(core)) != folded:
            forms.append(distinct)  # the lexicon's words are folded so too
        return [Token(core, start + lead, start + lead + len(core), tuple(forms))]

    def read(self, article: Article, language: str, rules: Mapping[str, Rule]) -> Reading:
        lexicon = self.lexicons[language]
        doc = self.nlp(language)(article.body)
        sents = self.sentences(language, doc)
        groups = self._groups[language]
        hits: list[ForeignHit] = []
        wide = {g for cues in lexicon.categories.values() for g in cues.need}
        article_groups = {  # only the groups a need asks of the whole article
            name for name in wide if any(_find_group(s.tokens, groups[name]) for s in sents)
        }
        memo: dict[tuple[int, str], list[int]] = {}  # (sentence, group): found, across patterns
        published = article.published
        numbers = self._numbers[language]
        for category, cues in lexicon.categories.items():
            # A veto says what the article or the sentence is about (a match, a film, a
            # charity's name): it is read in the headline and in the sentence that would
            # fire, as the English rules' ``none`` is, not in a passing mention elsewhere (a
            # concert listed under a report of a closed border).
            if category not in rules or self._vetoed(language, sents[:1], cues.veto):
                continue
            if cues.need and not article_groups & set(cues.need):
                continue  # a shooting in a bar is no border shooting
            for sentence in sents[: cues.lead + 1]:
                if self._disqualified(language, sentence, cues.accept, published):
                    continue
                spans = _pattern_spans(sentence, cues.patterns, groups, numbers, cues.near, memo)
                if spans is not None and self._vetoed(language, [sentence], cues.veto):
                    continue
                if spans is not None:
                    hits.append(ForeignHit(category, sentence, spans))
                    break
        facts = self._facts(language, sents, hits)
        return Reading(doc, DocFacts(facts=facts, casualties=[], countries=[]), hits)

    def _vetoed(self, language: str, sents: Sequence[Sentence], veto: Sequence[str]) -> bool:
        groups = self._groups[language]
        return any(_find_group(s.tokens, groups[g]) for s in sents for g in veto)

    def _disqualified(
        self,
        language: str,
        sentence: Sentence,
        accept: Sequence[str],
        published: datetime | None = None,
    ) -> bool:
        if (
            "historical" not in accept
            and published is not None
            and self._dated_back(language, sentence, published)
        ):
            return True
        return any(
            _find_group(sentence.tokens, g)
            for name, g in self._cues[language].items()
            if name not in accept
        )

    def _dated_back(self, language: str, sentence: Sentence, published: datetime) -> bool:
        """An earlier year, or a month named two to five months before the article's own
        (October in a December article): the sentence recalls background, not the news. Months
        further off may be ahead ("will reopen in June"), so they say nothing."""
        if _earlier_year(sentence, published.year):
            return True
        months = self._months[language]
        return any(
            MONTHS_BACK[0] <= _months_back(m, published.month) <= MONTHS_BACK[1]
            for m in _months_named(sentence.tokens, months)
        )

    def _facts(self, language: str, sents: list[Sentence], hits: list[ForeignHit]) -> Facts:
        countries: list[str] = []
        crossings: list[str] = []
        for sentence in sents:
            for code in self._countries[language].codes(sentence.tokens):
                if code not in countries:
                    countries.append(code)
            for cid in self._crossing_table(language).codes(sentence.tokens):
                if cid not in crossings:
                    crossings.append(cid)
        border = None
        if crossings and crossings[0] in self.gazetteer.crossings:
            crossing = self.gazetteer.crossings[crossings[0]]
            border = Border(countries=list(crossing.countries), crossing=crossing.id,
                            name=crossing.name, lat=crossing.lat, lon=crossing.lon)  # fmt: skip
        elif len(countries) >= 2:
            border = Border(countries=countries[:2])
        casualties: list[Casualty] = []
        hit_sentences = [h.sentence for h in hits if h.category in CASUALTY_CATEGORIES]
        if hit_sentences:  # the hit's sentence first, then the lead's other counts
            lead = [s for s in sents[: CASUALTY_LEAD + 1] if s not in hit_sentences]
            for sentence in hit_sentences + lead:
                for c in self._casualties(language, sentence):
                    if all((c.count, c.who, c.outcome) != (o.count, o.who, o.outcome)
                           for o in casualties):  # fmt: skip
                        casualties.append(c)
        return Facts(
            countries=countries, crossings=crossings, border=border, casualties=casualties[:4]
        )

    def _casualties(self, language: str, sentence: Sentence) -> list[Casualty]:
        """Counts before a soldiers' or victims' word, each with the nearest killing or
        wounding word's outcome ("two soldiers were killed and five wounded")."""
        groups = self._groups[language]
        numbers = self._numbers[language]
        toks = sentence.tokens
        outcomes = [
            (i, o)
            for g, o in KILL_GROUPS.items()
            if g in groups
            for i in _find_group(toks, groups[g])
        ]
        if not outcomes:
            return []
        out: list[Casualty] = []
        for group, who in COUNT_GROUPS.items():
            for i in _find_group(toks, groups.get(group, Group(()))):
                found = _count_at(toks, i, numbers, vague=self._vague[language])
                if found is None:
                    continue
                count, vague = found
                outcome = min(outcomes, key=lambda io: abs(io[0] - i))[1]
                out.append(Casualty(count=count, lower_bound=vague, who=who, outcome=outcome,
                                    sentence=sentence.text))  # fmt: skip
                break
        return out


# Abbreviations news in these languages writes before numbers and names; any other short word
# before a stop ends its sentence ("... w ciągu miesiąca. Rząd", "... έναν μήνα. Η").
_ABBREVIATIONS = frozenset(
    {
        *("tys", "mln", "mld", "proc", "godz", "tzw", "np", "ok", "ul", "gen", "płk", "kpt", "nr"),
        *("wg", "st", "тыс", "млн", "млрд", "руб", "км", "гг", "ул", "им", "др", "см"),
        *("χλμ", "εκατ", "δισ", "κλπ", "env", "av", "bd", "mme", "cf", "aprox", "núm", "sra"),
        *("dra", "etc", "yy", "vb", "bkz"),
    }
)


def _abbreviation(text: str, end: int) -> bool:
    """'10 tys. Rohingjów', '8,5 proc.': a known abbreviation or one lower-case letter before
    the stop is not a sentence end (no line break there)."""
    if end == 0 or text[end - 1] != "." or "\n" in text[end : end + 2]:
        return False
    word = text[: end - 1].rsplit(None, 1)[-1] if text[: end - 1].strip() else ""
    if not word.isalpha() or not word.islower():
        return False
    return len(word) == 1 or word in _ABBREVIATIONS


def _count_before(
    toks: Sequence[Token], i: int, numbers: Mapping[str, int], reach: int = NUMBER_REACH
) -> int | None:
    found = _count_at(toks, i, numbers, reach)
    return None if found is None else found[0]


def _count_at(
    toks: Sequence[Token],
    i: int,
    numbers: Mapping[str, int],
    reach: int = NUMBER_REACH,
    vague: Collection[str] = (),
) -> tuple[int, bool] | None:
    """The count before token ``i``, and whether it is vague (a number word written ``~``
    in the lexicon, "setki": hundreds, read as a lower bound like English "hundreds")."""
    for j in range(i - 1, max(-1, i - reach - 1), -1):
        text = toks[j].text
        if _DIGITS.match(text):
            return int(re.sub(r"\D", "", text)), False
        for form in toks[j].forms:
            if form in numbers:
                return numbers[form], form in vague
    return None


def _earlier_year(sentence: Sentence, year: int) -> bool:
    """'in 2015' in an article of 2018: the sentence recalls the past, as in English."""
    return any(_YEAR.match(t.text) and int(t.text) < year for t in sentence.tokens)


def _months_back(month: int, published: int) -> int:
    return (published - month) % 12


def _months_named(toks: Sequence[Token], months: Sequence[tuple[Stem, int]]) -> list[int]:
    return [n for s, n in months if _find(toks, [s])]


def _counted(toks: Sequence[Token], i: int, numbers: Mapping[str, int]) -> bool:
    return _count_before(toks, i, numbers, COUNTED_REACH) is not None


def _matches(token: Token, word: str, exact: bool) -> bool:
    return any((f == word) if exact else f.startswith(word) for f in token.forms)


def _match_end(toks: Sequence[Token], i: int, s: Stem, k: int = 0) -> int | None:
    """The index after ``s`` matched from token ``i`` (its word ``k`` on), or None; a gap
    word skips up to ``GAP_REACH`` tokens."""
    if k == len(s.words):
        return i
    if s.words[k] == GAP:
        for j in range(i, min(len(toks), i + GAP_REACH) + 1):
            end = _match_end(toks, j, s, k + 1)
            if end is not None:
                return end
        return None
    if i < len(toks) and _matches(toks[i], s.words[k], s.exact[k]):
        return _match_end(toks, i + 1, s, k + 1)
    return None


def _find(toks: Sequence[Token], stems: Sequence[Stem]) -> list[int]:
    """Token indices where any of ``stems`` starts (each of its words matching in a row)."""
    if not isinstance(stems, tuple):  # a one-off list (a country, a crossing): no index
        return [
            i for i in range(len(toks)) if any(_match_end(toks, i, s) is not None for s in stems)
        ]
    short, by_start = _index(stems)
    found: list[int] = []
    for i, tok in enumerate(toks):
        candidates = [s for f in tok.forms for s in by_start.get(f[:2], ())]
        if any(_match_end(toks, i, s) is not None for s in (*short, *candidates)):
            found.append(i)
    return found


_INDEXES: dict[int, tuple[tuple[Stem, ...], tuple[Stem, ...], dict[str, list[Stem]]]] = {}


def _index(stems: tuple[Stem, ...]) -> tuple[tuple[Stem, ...], dict[str, list[Stem]]]:
    """A group's entries by the first two letters of their first word (a token is tried only
    against entries it could start); entries of one letter are tried against every token."""
    cached = _INDEXES.get(id(stems))
    if cached is not None and cached[0] is stems:
        return cached[1], cached[2]
    short = tuple(s for s in stems if len(s.words[0]) < 2)
    by_start: dict[str, list[Stem]] = {}
    for s in stems:
        if len(s.words[0]) >= 2:
            by_start.setdefault(s.words[0][:2], []).append(s)
    _INDEXES[id(stems)] = (stems, short, by_start)
    return short, by_start


def _find_group(toks: Sequence[Token], g: Group) -> list[int]:
    """Where the group's words start, less the matches that share a word with one of its
    ``-phrase`` entries ("geçmelerini engellemeyi bıraktı" is no blocking)."""
    stems, without = g.matching
    found = _find(toks, stems)
    if not found or not without:
        return found
    covered: set[int] = set()
    for i in range(len(toks)):
        for s in without:
            end = _match_end(toks, i, s)
            if end is not None:
                covered.update(range(i, end))
    if not covered:
        return found
    return [i for i in found if not any(_covers(toks, i, s, covered) for s in stems)]


def _covers(toks: Sequence[Token], i: int, s: Stem, covered: set[int]) -> bool:
    """Whether ``s`` matched from ``i`` shares a word with ``covered`` (or does not match)."""
    end = _match_end(toks, i, s)
    return end is None or not covered.isdisjoint(range(i, end))


def _pattern_spans(
    sentence: Sentence,
    patterns: Sequence[Sequence[str]],
    groups: Mapping[str, Group],
    numbers: Mapping[str, int] | None = None,
    near: int | None = None,
    memo: dict[tuple[int, str], list[int]] | None = None,
) -> tuple[tuple[Token, str], ...] | None:
    """The first pattern all of whose groups are in the sentence (and none it forbids), its
    words within ``near`` tokens of each other when that is set. ``memo`` keeps a group's
    matches in a sentence for the next pattern and category that names it."""
    toks = sentence.tokens
    memo = {} if memo is None else memo
    for pattern in patterns:
        wanted: list[tuple[str, list[int]]] = []
        for element in pattern:
            forbid = element.startswith("!")
            name = element.lstrip("!")
            counted = name.startswith("#")
            key = (sentence.offset, name.lstrip("#"))
            if key not in memo:
                memo[key] = _find_group(toks, groups[key[1]])
            found = memo[key]
            if counted:
                found = [i for i in found if _counted(toks, i, numbers or {})]
            if forbid:
                if found:
                    break
                continue
            if not found:
                break
            wanted.append((element, found))
        else:
            chosen = _closest(wanted, near)
            if chosen is not None:
                return tuple((toks[i], name) for name, i in chosen)
    return None


def _closest(
    wanted: Sequence[tuple[str, list[int]]], near: int | None
) -> list[tuple[str, int]] | None:
    """One index per group: the first of each, or with ``near`` the first window of that
    many tokens holding one of every group."""
    if near is None or not wanted:
        return [(name, found[0]) for name, found in wanted]
    for start in sorted({i for _, found in wanted for i in found}):
        chosen: list[tuple[str, int]] = []
        for name, found in wanted:
            inside = [i for i in found if start <= i <= start + near]
            if not inside:
                break
            chosen.append((name, inside[0]))
        else:
            return chosen
    return None


def evidence(hit: ForeignHit) -> Evidence:
    """The sentence in its own language, the matched words marked."""
    spans = sorted({(t.start, t.end, t.text, g) for t, g in hit.spans}, key=lambda s: (s[0], s[1]))
    return Evidence(
        sentence=hit.sentence.text,
        spans=[EvidenceSpan(start=a, end=b, text=t, label=g) for a, b, t, g in spans],
    )
