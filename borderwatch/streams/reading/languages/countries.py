"""Country names in each language, normalised to ISO alpha-3 codes.

A hand-written lexicon names the countries its authors thought of, as prefix stems that also
cover demonyms and adjectives (``türk``, ``ελλην``, ``polsk``). pycountry's gettext catalogues
name every country in each of these languages (``Yunanistan``, ``Ελλάδα``, ``Grecja``,
``Греция``, ``اليونان``), in the nominative, while articles decline them (``Yunanistan'dan``,
``Ελλάδας``, ``Grecji``, ``Греции``, ``واليونان``). Such a name is read as whole words, never as
a prefix: short names start too many other words (``инди`` starts "individual", ``cad`` Turkish
"street"). A single word matches in the case forms its nominative ending gives, Turkish suffixes
after the apostrophe, and Arabic ones with the article and the clitics off; a multiword name
matches as stems in a row. A name is a proper noun: where the script has capitals, the token
must start with one, so Turkish "gaza" (to the gas) is not Gaza. A name that is a function word
of the language (Russian ``самое`` is "the most", not a case of Samoa), a known everyday word,
or shared by two countries (both Koreas) is left out.

The gazetteer's regions are written in Latin letters; the languages written in them get
those names too, so a Polish article naming Rakhine places Myanmar, as the English reader
does. Where names overlap the longest wins, and countries come in order of mention, as in
English: a border without a named crossing falls back to the first two.
"""

from __future__ import annotations

import gettext
import importlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Protocol

import pycountry

from borderwatch.streams.reading.gazetteer import Gazetteer
from borderwatch.streams.reading.languages.lexicon import LanguageLexicon, Stem, fold, stem

KEY = 4  # letters of a prefix stem its index is keyed by ("republika ..." are many)
WORD_MIN = 3  # letters a word of a multiword name needs to match as a prefix
# Letters cut off the end of a multiword name's words in languages that decline nouns.
TAILS = {"pl": "aeiouyąę", "ru": "аеиоуыэюяь", "el": "αεηιουωσ"}
# How a single-word name declines, by its nominative ending (folded): the endings that
# replace it. Other vowel endings and two vowels (Peru, Samoa, Palau) are left as written.
DECLENSIONS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "pl": (("ia", ("ia", "ii", "ię", "ią")), ("ja", ("ja", "ji", "ję", "ją")),
           ("a", ("a", "y", "ie", "ę", "ą")), ("", ("", "u", "ie", "em"))),
    "ru": (("ия", ("ия", "ии", "ию", "ией")), ("а", ("а", "ы", "е", "у", "ой")),
           ("я", ("я", "и", "е", "ю", "ей")), ("ь", ("ь", "и", "ью")),
           ("", ("", "а", "е", "у", "ом"))),
    "el": (("ια", ("ια", "ιασ")), ("α", ("α", "ασ")), ("η", ("η", "ησ")),
           ("οσ", ("οσ", "ου", "ο"))),
}  # fmt: skip
_SOFT_PAIRS = ("ia", "ия", "ια")  # two vowels that still decline (Belgia, Индия, Ινδία)
VOWELS = frozenset("aeiouyąęóаеиоуыэюяαεηιουω")
ARTICLE = {"ar": "ال"}
# Country and region names that are everyday words too; a lexicon can still name them.
COMMON_WORDS = {
    "tr": {"mali", "gaza"},  # "financial"; "to the gas"
    "pl": {"mali", "kuba"},  # "small" (plural); a first name
    "ru": {"того"},  # "of that"
    "ar": {"مالي", "عمان", "بنين"},  # "financial"; Amman is written the same; "sons"
}
_SCRIPTS = {"latin": "LATIN", "greek": "GREEK", "cyrillic": "CYRILLIC", "arabic": "ARABIC"}
_ATTRS = ("name", "common_name", "official_name")
_EDGE = re.compile(r"^[\W_]+|[\W_]+$", re.UNICODE)  # as the reader trims its tokens
_INNER = re.compile(r"[\s\u00a0]+|-|(?<=['’])")


class _Tokenish(Protocol):
    @property
    def text(self) -> str: ...
    @property
    def forms(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Name:
    """One way a country is written: its stem, and how many of its first words must start
    with a capital (none for the lexicon's stems, which hold adjectives too)."""

    code: str
    stem: Stem
    capitals: int = 0


class NameTable:
    """A language's country names, lexicon first, and the reading of a sentence with them.

    Built on first use: a reader holds a table per language, and most processes never see
    an article in most of them (reading the language's stop words loads its spaCy module)."""

    def __init__(self, language: str, build: Callable[[], Iterable[Name]]) -> None:
        self.language = language
        self._build = build

    @cached_property
    def names(self) -> tuple[Name, ...]:
        return tuple(self._build())

    def __iter__(self) -> Iterator[Name]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    @cached_property
    def _index(self) -> tuple[dict[str, list[_Entry]], dict[str, list[_Entry]]]:
        """Names by their first word: exact ones by the word, prefixes by its first ``KEY``
        letters (a shorter stem by all of it), so a token meets the few it could start."""
        exact: dict[str, list[_Entry]] = {}
        prefix: dict[str, list[_Entry]] = {}
        for order, name in enumerate(self.names):
            words = name.stem.words
            item = _Entry(order, name, (len(words), sum(map(len, words))))
            if name.stem.exact[0]:
                exact.setdefault(words[0], []).append(item)
            else:
                prefix.setdefault(words[0][:KEY], []).append(item)
        return exact, prefix

    def codes(self, tokens: Sequence[_Tokenish]) -> list[str]:
        """Codes in order of mention; where names overlap the longest wins ("Nigeria" is not
        "Niger", روسيا البيضاء is Belarus, not Russia), then the one listed first."""
        exact, prefix = self._index
        found: list[str] = []
        i = 0
        while i < len(tokens):
            best: _Entry | None = None
            for form in tokens[i].forms:
                groups = [exact.get(form, ())]
                groups += [prefix.get(form[:k], ()) for k in range(1, min(KEY, len(form)) + 1)]
                for item in (item for group in groups for item in group):
                    if (best is None or item.rank > best.rank) and _match_at(tokens, i, item.name):
                        best = item
            if best is None:
                i += 1
                continue
            if best.name.code not in found:
                found.append(best.name.code)
            i += best.size[0]
        return found


@dataclass(frozen=True)
class _Entry:
    order: int
    name: Name
    size: tuple[int, int]  # words, letters: the longer name wins

    @property
    def rank(self) -> tuple[int, int, int]:
        return (*self.size, -self.order)


def _match_at(tokens: Sequence[_Tokenish], i: int, name: Name) -> bool:
    s = name.stem
    n = len(s.words)
    return (
        i + n <= len(tokens)
        and all(_matches(tokens[i + k].forms, s.words[k], s.exact[k]) for k in range(n))
        and all(_capitalised(tokens[i + k].text) for k in range(min(name.capitals, n)))
    )


def _matches(forms: Iterable[str], word: str, exact: bool) -> bool:
    return any((f == word) if exact else f.startswith(word) for f in forms)


def _capitalised(text: str) -> bool:
    """Starts with a capital, or is in a script without them (Arabic)."""
    first = next((c for c in text if c.isalpha()), "")
    return first.isupper() or first.lower() == first.upper()


def country_names(
    language: str, lexicon: LanguageLexicon, gazetteer: Gazetteer | None = None
) -> NameTable:
    """The lexicon's countries (its stems, then pycountry's names for the same code), then
    every other country pycountry names in this language, and the gazetteer's regions."""
    return NameTable(language, lambda: _names(language, lexicon, gazetteer))


def _names(language: str, lexicon: LanguageLexicon, gazetteer: Gazetteer | None) -> list[Name]:
    translated = _translated(language, lexicon.script)
    regions: dict[str, list[str]] = {}
    if gazetteer is not None and lexicon.script == "latin":
        for region in gazetteer.regions.values():
            regions.setdefault(region.country, []).extend(region.names)
    skip = _skipped(language, lexicon)
    own = [Name(code, stem(w)) for code, words in lexicon.countries.items() for w in words]
    found: list[Name] = []
    codes = [*lexicon.countries, *(c for c in translated if c not in lexicon.countries)]
    for code in [*codes, *(c for c in regions if c not in codes)]:
        for written in translated.get(code, ()):
            found.extend(Name(code, s, 1) for s in name_stems(language, written))
        for written in regions.get(code, ()):  # a place: every word a proper noun
            found.extend(Name(code, s, len(s.words)) for s in name_stems(language, written))
    return _unambiguous(own, [n for n in found if " ".join(n.stem.words).rstrip("'") not in skip])


def name_stems(language: str, written: str) -> list[Stem]:
    """How one written name is matched in this language's articles (see the module's
    docstring): a multiword name as stems in a row, a single word as its case forms."""
    out: list[Stem] = []
    for variant in _words(written):
        words = [_word(language, w) for w in variant]
        if not words or not all(words):
            continue
        if len(words) > 1:
            cut = [_cut(language, w) for w in words]
            exact = tuple(len(c) < WORD_MIN for c in cut)
            parts = tuple(w if e else c for w, c, e in zip(words, cut, exact, strict=True))
            out.append(Stem(parts, exact, written))
            continue
        word = words[0]
        out.extend(Stem((f,), (True,), written) for f in _declined(language, word))
        if language == "tr":  # Turkish writes a proper noun's suffixes after an apostrophe
            out.append(Stem((word + "'",), (False,), written))
    return out


def _words(written: str) -> list[list[str]]:
    """The name's words, trimmed as the reader trims tokens; and where a word holds a hyphen
    or an apostrophe, the same cut there too (spaCy keeps "États-Unis" one token but cuts
    "Guinée-Bissau" and "d'Égypte")."""
    whole = [w for w in (_EDGE.sub("", p) for p in written.split()) if w]
    parts = [w for w in (_EDGE.sub("", p) for p in _INNER.split(written)) if w]
    return [whole] if parts == whole else [whole, parts]


def _word(language: str, word: str) -> str:
    """Folded; an Arabic name without its article when what is left is long enough to be
    told apart (the reader strips the article, and لل or بال with it, off tokens)."""
    w = fold(word)
    article = ARTICLE.get(language)
    if article and w.startswith(article) and len(w) - len(article) >= 4:
        w = w[len(article) :]
    return w


def _cut(language: str, word: str) -> str:
    tail = TAILS.get(language, "")
    while len(word) > WORD_MIN and word[-1] in tail:
        word = word[:-1]
    return word


def _declined(language: str, word: str) -> list[str]:
    two_vowels = len(word) >= 2 and word[-1] in VOWELS and word[-2] in VOWELS
    if two_vowels and word[-2:] not in _SOFT_PAIRS:
        return [word]
    for ending, forms in DECLENSIONS.get(language, ()):
        if word.endswith(ending) and (ending or word[-1] not in VOWELS):
            base = word[: len(word) - len(ending)]
            return sorted({fold(base + f) for f in forms})  # й, ą, ę fold like the text
    return [word]


@lru_cache(maxsize=16)
def _translated(language: str, script: str) -> dict[str, tuple[str, ...]]:
    """pycountry's names of every country in ``language``, once per process: untranslated
    entries (the English left in a Greek catalogue) are dropped, and inverted ones ("Iran,
    Islamic Republic of") become their head ("Iran")."""
    if gettext.find("iso3166-1", pycountry.LOCALES_DIR, languages=[language]) is None:
        return {}
    catalogue = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
    out: dict[str, tuple[str, ...]] = {}
    for country in pycountry.countries:
        names: list[str] = []
        for attr in _ATTRS:
            english = getattr(country, attr, None)
            if not english:
                continue
            local = catalogue.gettext(english)
            local = re.sub(r"\s*\([^)]*\)", "", local).split(",")[0].strip()
            if local and _in_script(local, script) and local not in names:
                names.append(local)
        if names:
            out[str(country.alpha_3)] = tuple(names)
    return out


def _in_script(name: str, script: str) -> bool:
    want = _SCRIPTS[script]
    return all(unicodedata.name(c, "").startswith(want) for c in name if c.isalpha())


def _skipped(language: str, lexicon: LanguageLexicon) -> set[str]:
    """What no name may be: the lexicon's and spaCy's function words for the language, and
    the known everyday words (``COMMON_WORDS``)."""
    function_words = {fold(w) for w in (*lexicon.stopwords, *_spacy_stopwords(language))}
    return function_words | COMMON_WORDS.get(language, set())


@lru_cache(maxsize=16)
def _spacy_stopwords(language: str) -> frozenset[str]:
    try:
        module = importlib.import_module(f"spacy.lang.{language}.stop_words")
    except ImportError:
        return frozenset()
    return frozenset(getattr(module, "STOP_WORDS", ()))


def _unambiguous(own: list[Name], found: list[Name]) -> list[Name]:
    """The lexicon's stems as written, then each found stem once, none the lexicon already
    has and none two codes claim ("Korea" is both Koreas, "Kongo" both Congos): a name that
    cannot tell them apart names neither."""
    owners: dict[tuple[tuple[str, ...], tuple[bool, ...]], set[str]] = {}
    for name in found:
        owners.setdefault((name.stem.words, name.stem.exact), set()).add(name.code)
    seen = {(name.stem.words, name.stem.exact) for name in own}
    out = list(own)
    for name in found:
        key = (name.stem.words, name.stem.exact)
        if key not in seen and len(owners[key]) == 1:
            seen.add(key)
            out.append(name)
    return out
