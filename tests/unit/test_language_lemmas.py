"""simplemma's lemmas as one more form of a token: a lexicon word written as the lemma reads
inflected and irregular forms that a prefix stem misses. The words are our own."""

from __future__ import annotations

import pytest

from borderwatch.streams.reading.languages.lemmas import lemmatizer
from borderwatch.streams.reading.languages.lexicon import fold
from borderwatch.streams.reading.languages.reader import ForeignReader

IRREGULAR = [
    ("pl", "zginęło", "zginąć"),  # the stem "zgin" reads it; the lemma names it
    ("ru", "погибли", "погибнуть"),
    ("el", "έκλεισε", "κλείνω"),  # no common prefix with the lemma
    ("es", "murieron", "morir"),
    ("tr", "askerler", "asker"),
]


@pytest.mark.parametrize(("language", "word", "lemma"), IRREGULAR)
def test_a_token_carries_its_lemma(language: str, word: str, lemma: str) -> None:
    (token,) = ForeignReader._token(word, 0, (), lemmatizer(language))
    assert token.forms[0] == fold(word)
    assert fold(lemma) in token.forms


def test_digits_and_unknown_languages_get_no_lemma() -> None:
    assert lemmatizer("xx") is None
    (token,) = ForeignReader._token("2024", 0, (), lemmatizer("pl"))
    assert token.forms == ("2024",)
