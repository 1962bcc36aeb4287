"""Loading the spaCy pipeline once per process.

The model name is a setting so an operator can swap the PyPI re-upload we pin for the
official ``en_core_web_sm`` package without a code change.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from itertools import pairwise
from typing import Any, cast

import numpy
import spacy
from spacy.attrs import (
    DEP,
    ENT_ID,
    ENT_IOB,
    ENT_KB_ID,
    ENT_TYPE,
    HEAD,
    LEMMA,
    MORPH,
    NORM,
    POS,
    TAG,
)
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc

from borderwatch.core.errors import BorderwatchError, Codes, Problem

PARAGRAPHS = "bw_paragraphs"
# What rules and facts read: POS and lemmas (tagger, attribute_ruler, lemmatizer), the
# dependency parse and sentences (parser), entities (ner). Anything else is switched off.
NEEDED = frozenset({"tok2vec", "tagger", "attribute_ruler", "lemmatizer", "parser", "ner"})


def _paragraph_start(doc: Doc, i: int) -> bool:
    prev = doc[i - 1]
    return "\n\n" in prev.whitespace_ or (prev.is_space and "\n" in prev.text)


@Language.component(PARAGRAPHS)
def paragraph_boundaries(doc: Doc) -> Doc:
    """A blank line ends a sentence: a headline must not merge with the lede into one
    "sentence", or a rule would combine words from both."""
    for token in doc[1:]:
        if _paragraph_start(doc, token.i):
            token.is_sent_start = True
    return doc


@lru_cache(maxsize=4)
def load_nlp(model: str) -> Language:
    try:
        nlp: Any = spacy.load(model)
    except OSError as exc:
        raise BorderwatchError(Problem.of(Codes.N001, model=model, error=exc)) from exc
    for name in nlp.pipe_names:
        if name not in NEEDED:
            nlp.disable_pipe(name)
    if PARAGRAPHS not in nlp.pipe_names and "parser" in nlp.pipe_names:
        nlp.add_pipe(PARAGRAPHS, before="parser")
    return nlp  # type: ignore[no-any-return]


_STOPS = frozenset(Sentencizer.default_punct_chars)


def sentence_starts(doc: Doc) -> list[int]:
    """Where sentences start, from the tokens alone: after a full stop (or ! ?) once the
    punctuation and quotes after it end, and after a blank line, as ``PARAGRAPHS`` does.

    Cheap (no model), and close to the parser: on wire news the parser keeps about 99.5 %
    of these starts and adds a few (dashes in headlines, long lists). The scoped reading
    decides from these what to parse; the parser still draws the sentences it parses."""
    starts = [0] if len(doc) else []
    stop = False
    for token in doc[1:]:
        if token.is_space:
            continue
        if _paragraph_start(doc, token.i) or (
            stop and not token.is_punct and token.text not in _STOPS
        ):
            starts.append(token.i)
            stop = False
        elif token.text in _STOPS:
            stop = True
    return starts


# What a parse and the gazetteers leave on a token; copied from the pieces into one document.
_ATTRS = [NORM, TAG, POS, MORPH, LEMMA, DEP, HEAD, ENT_IOB, ENT_TYPE, ENT_ID, ENT_KB_ID]
_HEAD, _DEP, _IOB = _ATTRS.index(HEAD), _ATTRS.index(DEP), _ATTRS.index(ENT_IOB)
_IN_ENTITY = (1, 3)  # ENT_IOB "I" and "B"


def assemble(
    doc: Doc, starts: Sequence[int], parts: Sequence[tuple[int, Doc]]
) -> tuple[Doc, list[tuple[int, int, int]]]:
    """One document from an article read in pieces, and where the parsed pieces lie in it
    (``(offset in doc, offset in the new document, length)`` each).

    ``doc`` holds the article's tokens (with the gazetteers' entities), ``starts`` its
    sentences, ``parts`` the parsed pieces, each ``(offset, parse of doc[offset:...])`` and
    beginning and ending on a sentence start. Every other sentence stands in as its entity
    tokens only (its first token if it has none), as a flat tree under its first token: so
    sentences keep their number and order, entities their order of mention, and the reading
    spends no time on words nothing can be read from."""
    following = dict(pairwise([*starts, len(doc)]))
    by_start = dict(parts)
    words: list[str] = []
    spaces: list[bool] = []
    rows = []
    placed: list[tuple[int, int, int]] = []
    flat: list[tuple[int, int]] = []
    whole = doc.to_array(_ATTRS).astype("int64")
    pos = 0
    while pos < len(doc):
        part = by_start.get(pos)
        if part is not None:
            tokens = list(part)
            rows.append(part.to_array(_ATTRS).astype("int64"))
            placed.append((pos, len(words), len(tokens)))
            pos += len(tokens)
        else:
            end = following[pos]
            inside = numpy.flatnonzero(numpy.isin(whole[pos:end, _IOB], _IN_ENTITY))
            keep = [pos + int(i) for i in inside] or [pos]
            tokens = [doc[i] for i in keep]
            rows.append(whole[keep])
            flat.append((len(words), len(words) + len(tokens)))
            pos = end
        words.extend(t.text for t in tokens)
        spaces.extend(bool(t.whitespace_) for t in tokens)
    values = numpy.concatenate(rows) if rows else numpy.zeros((0, len(_ATTRS)), dtype="int64")
    strings = doc.vocab.strings
    for a, b in flat:
        values[a:b, _HEAD] = numpy.arange(0, a - b, -1)
        values[a:b, _DEP] = strings.add("dep")
        values[a, _DEP] = strings.add("ROOT")
    out = Doc(doc.vocab, words=words, spaces=spaces)
    out.from_array(_ATTRS, cast(Any, values.astype("uint64")))
    return out, placed
