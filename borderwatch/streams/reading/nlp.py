"""Loading the spaCy pipeline once per process.

The model name is a setting so an operator can swap the PyPI re-upload we pin for the
official ``en_core_web_sm`` package without a code change.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from functools import lru_cache
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
    IS_PUNCT,
    IS_SPACE,
    LEMMA,
    MORPH,
    NORM,
    ORTH,
    POS,
    SPACY,
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
    if not len(doc):
        return []
    strings = doc.vocab.strings
    stops = {strings.add(c) for c in _STOPS}
    orths = doc.to_array(ORTH).tolist()  # ints, not Token objects: several times faster
    spaces = doc.to_array(IS_SPACE).tolist()
    puncts = doc.to_array(IS_PUNCT).tolist()
    starts = [0]
    stop = False
    for i in range(1, len(orths)):
        if spaces[i]:
            continue
        if (spaces[i - 1] and "\n" in strings[orths[i - 1]]) or (
            stop and not puncts[i] and orths[i] not in stops
        ):
            starts.append(i)
            stop = False
        elif orths[i] in stops:
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
    n = len(doc)
    whole = doc.to_array(_ATTRS).astype("int64")  # hashes wrap; they wrap back below
    parsed = numpy.zeros(n, dtype=bool)
    placed: list[tuple[int, int, int]] = []
    for offset, part in parts:
        whole[offset : offset + len(part)] = part.to_array(_ATTRS).astype("int64")
        parsed[offset : offset + len(part)] = True
    sentence = numpy.zeros(n, dtype="int64")
    sentence[list(starts[1:])] = 1
    sentence = numpy.cumsum(sentence)
    first = numpy.zeros(n, dtype=bool)
    first[list(starts)] = True
    # Kept: parsed tokens, and of the rest each sentence's entities, else its first token.
    entity = numpy.isin(whole[:, _IOB], _IN_ENTITY) & ~parsed
    has_entity = numpy.zeros(len(starts), dtype=bool)
    has_entity[sentence[entity]] = True
    keep = numpy.flatnonzero(parsed | entity | (first & ~parsed & ~has_entity[sentence]))
    values = whole[keep]
    at = numpy.searchsorted(keep, [offset for offset, _ in parts])
    placed = [(offset, int(i), len(part)) for (offset, part), i in zip(parts, at, strict=True)]
    stand_in = numpy.flatnonzero(~parsed[keep])
    if len(stand_in):  # each unparsed sentence: a flat tree under its first kept token
        group = sentence[keep[stand_in]]
        root = stand_in[numpy.r_[True, group[1:] != group[:-1]]]
        roots = root[numpy.cumsum(numpy.r_[True, group[1:] != group[:-1]]) - 1]
        values[stand_in, _HEAD] = roots - stand_in
        values[stand_in, _DEP] = doc.vocab.strings.add("dep")
        values[root, _DEP] = doc.vocab.strings.add("ROOT")
    words = [doc.vocab.strings[o] for o in doc.to_array(ORTH)[keep].tolist()]
    spaces = [bool(x) for x in doc.to_array(SPACY)[keep].tolist()]
    out = Doc(doc.vocab, words=words, spaces=spaces)
    out.from_array(_ATTRS, cast(Any, values.astype("uint64")))
    return out, placed


# What a lemma depends on in the spaCy pipelines: tags (the tagger listens to the shared
# tok2vec), their mapping to POS, the lemmatiser's rules. The parser and NER decide nothing.
LEMMA_PIPES = ("tok2vec", "tagger", "attribute_ruler", "lemmatizer")
_LEMMAS: weakref.WeakKeyDictionary[Language, dict[tuple[str, ...], tuple[str, ...]]] = (
    weakref.WeakKeyDictionary()
)


def word_lemmas(nlp: Language, words: Sequence[str]) -> tuple[str, ...]:
    """The lemmas the pipeline gives these words read together (a rule's phrase, a
    prefilter word), as the whole pipeline would: only the components lemmas depend on run,
    called one by one so a shared pipeline is never changed under a running worker, and
    remembered per pipeline (every rule reload compiles the same phrases again). Building a
    detector took about 6 s of parses of single words; now about 1."""
    cache = _LEMMAS.setdefault(nlp, {})
    key = tuple(words)
    if key not in cache:
        doc = Doc(nlp.vocab, words=list(key))
        for name in LEMMA_PIPES:
            if name in nlp.pipe_names:
                doc = nlp.get_pipe(name)(doc)
        cache[key] = tuple(t.lemma_ for t in doc)
    return cache[key]
