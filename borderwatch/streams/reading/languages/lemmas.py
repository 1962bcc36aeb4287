"""Lemmas for the lexicon languages, from simplemma: its dictionaries ship in the wheel (no
download), cover all seven languages Borderwatch reads, and a lookup is a dictionary hit.

A token's lemma is one more form the proximity reader matches, beside the folded token and
its stems: a lexicon word may be written as the lemma ("zabić", "закрыть", "σκοτώνω") and
reads every inflected form the dictionary knows, the irregular ones included, which a
prefix stem cannot (Polish "zginęło" / "zginąć", Greek "έκλεισε" / "κλείνω").
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import simplemma

from borderwatch.streams.reading.languages.lexicon import fold

SUPPORTED = frozenset({"ar", "el", "es", "fr", "pl", "ru", "tr", "bg", "uk", "de", "it", "pt"})


@lru_cache(maxsize=16)
def lemmatizer(language: str) -> Callable[[str], str] | None:
    """The folded lemma of a word in ``language``, or None where simplemma has no dictionary
    for it (the lexicon's stems then do all the work)."""
    if language not in SUPPORTED:
        return None

    @lru_cache(maxsize=65536)
    def lemma(word: str) -> str:
        return fold(simplemma.lemmatize(word, lang=language))

    return lemma
