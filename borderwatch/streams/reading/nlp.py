"""Loading the spaCy pipeline once per process.

The model name is a setting so an operator can swap the PyPI re-upload we pin for the
official ``en_core_web_sm`` package without a code change.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from borderwatch.core.errors import BorderwatchError, Codes, Problem

PARAGRAPHS = "bw_paragraphs"
# What rules and facts read: POS and lemmas (tagger, attribute_ruler, lemmatizer), the
# dependency parse and sentences (parser), entities (ner). Anything else is switched off.
NEEDED = frozenset({"tok2vec", "tagger", "attribute_ruler", "lemmatizer", "parser", "ner"})


@Language.component(PARAGRAPHS)
def paragraph_boundaries(doc: Doc) -> Doc:
    """A blank line ends a sentence: a headline must not merge with the lede into one
    "sentence", or a rule would combine words from both."""
    for token in doc[1:]:
        prev = doc[token.i - 1]
        if "\n\n" in prev.whitespace_ or (prev.is_space and "\n" in prev.text):
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
