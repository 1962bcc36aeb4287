"""Which language an article is in: the feed's or item's declared language first, else a guess.

No offline detector (lingua, langdetect, fastText, simplemma) can be installed here, so the
guess is our own and small: the script decides Greek, Arabic and Cyrillic (Russian) text; for
Latin-script text the language whose stopwords cover most tokens wins, English included.
Short or unclear text stays English, the full pipeline, as before this module existed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from functools import lru_cache

from borderwatch.streams.reading.languages.lexicon import LanguageLexicon, fold

_WORD = re.compile(r"\w+", re.UNICODE)
_SCRIPTS = {
    "greek": re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]"),
    "cyrillic": re.compile(r"[\u0400-\u04ff]"),
    "arabic": re.compile(r"[\u0600-\u06ff\u0750-\u077f]"),
}
_ANY_SCRIPT = re.compile("|".join(p.pattern for p in _SCRIPTS.values()))
_ENGLISH = "the of and to in a is that for on was with as by at from it his her said has have were"
ENGLISH_STOPWORDS = frozenset([*_ENGLISH.split(), "are", "be", "an", "its", "their", "who", "this"])
MIN_SHARE = 0.04  # of tokens that must be a language's stopwords before it beats English


def detect(text: str, lexicons: Mapping[str, LanguageLexicon], declared: str | None = None) -> str:
    """ISO 639-1 code: ``declared`` (primary subtag) when given, else the best guess."""
    if declared:
        return declared.split("-")[0].split("_")[0].lower()
    sample = text[:3000]
    # Most articles hold no letter of these scripts: one search says so.
    letters = (sum(map(str.isalpha, sample)) or 1) if _ANY_SCRIPT.search(sample) else 0
    for script, pattern in _SCRIPTS.items() if letters else ():
        if len(pattern.findall(sample)) / letters > 0.3:
            fitting = [lx for lx in lexicons.values() if lx.script == script]
            return (
                max(fitting, key=lambda lx: _share(sample, lx.stopwords)).language
                if fitting
                else "en"
            )
    best, best_share = "en", _share(sample, ENGLISH_STOPWORDS)
    for lexicon in lexicons.values():
        if lexicon.script != "latin":
            continue
        share = _share(sample, lexicon.stopwords, lexicon.letters)
        if share > best_share and share >= MIN_SHARE:
            best, best_share = lexicon.language, share
    return best


@lru_cache(maxsize=4)
def _words(text: str) -> tuple[int, tuple[tuple[str, str, int], ...], frozenset[str]]:
    """How many words the sample has, each distinct word with its folded form and count,
    and the letters it holds: split and folded once per article, not once per language
    (this runs on every article, before the prefilter)."""
    low = text.lower()
    raw = _WORD.findall(low)
    return len(raw), tuple((w, fold(w), n) for w, n in Counter(raw).items()), frozenset(low)


@lru_cache(maxsize=64)
def _folded(stopwords: tuple[str, ...]) -> frozenset[str]:
    return frozenset(fold(w) for w in stopwords)


def _share(text: str, stopwords: frozenset[str] | list[str], letters: str = "") -> float:
    """Share of words that are stopwords or hold a letter only this language writes."""
    total, words, chars = _words(text)
    if not total:
        return 0.0
    folded = _folded(tuple(stopwords))
    own = set(letters)
    if own.isdisjoint(chars):  # none of its own letters anywhere: stopwords decide
        return sum(n for _, f, n in words if f in folded) / total
    return sum(n for w, f, n in words if f in folded or not own.isdisjoint(w)) / total
