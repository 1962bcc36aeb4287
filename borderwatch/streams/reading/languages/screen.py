"""The prefilter of the languages a lexicon reads: keep the proximity reader off articles in
which no category's pattern could fire.

English articles pass a prefilter built from the rules; an article in another language is read
by its lexicon (``reader``), whose categories fire on a sentence holding a word of every group a
pattern names. So per language the screen asks whether the article holds, for some pattern of a
category that has rules loaded, an entry of every group the pattern needs, each entry's words
found as the reader finds them: the start of one of a token's forms (folded, or without a
clitic). The tokens and their forms are the reader's own (``ForeignReader.sentences``: the
blank tokenizer, a few per cent of a reading), so the screen sees what the reader sees; the
matching, the reader's cost, is what it saves.

What it leaves out can only make it say "maybe": forbidden groups (``!group``), vetoes, cues,
the lead, ``near``, counts (``#group``), ``-phrase`` exclusions, gaps, the order of an entry's
words and sentences (the article is one bag of forms here); an exact word (``=on``) is taken as
a prefix. A language no lexicon reads passes: the detector counts it as unread.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from borderwatch.streams.reading.gazetteer import Gazetteer
from borderwatch.streams.reading.languages.lexicon import LanguageLexicon, stem
from borderwatch.streams.reading.languages.reader import ForeignReader, crossing_names

GAP = "..."  # a gap in an entry ("obligan ... volver"): any words, so it needs nothing
BORDER = "border"  # the group the reader adds the named crossings to ("Rafah will open")

Need = tuple[str, ...]  # the folded words of one entry, all of which must be found


@dataclass(frozen=True)
class _Language:
    # Per pattern, per positive group, the entries any one of which must be found.
    patterns: tuple[tuple[tuple[Need, ...], ...], ...]
    words: frozenset[str]
    lengths: tuple[int, ...]  # of ``words``: a form's prefixes worth looking up


def _needs(entries: Collection[str]) -> tuple[Need, ...]:
    out: dict[Need, None] = {}
    for entry in entries:
        if entry.startswith("-"):  # takes words out of the group: never needed
            continue
        words = tuple(w for w in stem(entry).words if w and w != GAP)
        if words:
            out[words] = None
    return tuple(out)


def _compile(
    lexicon: LanguageLexicon, gazetteer: Gazetteer, categories: Collection[str]
) -> _Language:
    groups = {name: _needs(words) for name, words in lexicon.words.items()}
    if BORDER in groups:
        names = [name for _, name in crossing_names(lexicon, gazetteer)]
        groups[BORDER] = groups[BORDER] + _needs(names)
    patterns = tuple(
        tuple(groups[element.lstrip("#")] for element in pattern if not element.startswith("!"))
        for category, cues in lexicon.categories.items()
        if category in categories
        for pattern in cues.patterns
    )
    words = frozenset(w for p in patterns for g in p for need in g for w in need)
    return _Language(patterns, words, tuple(sorted({len(w) for w in words})))


class LanguageScreen:
    """One per rule set and reader: each language's patterns as the words they need."""

    def __init__(self, reader: ForeignReader, categories: Collection[str]) -> None:
        self.reader = reader
        chosen = frozenset(categories)
        self.languages = {
            lang: _compile(lx, reader.gazetteer, chosen) for lang, lx in reader.lexicons.items()
        }

    def words(self, text: str, language: str) -> frozenset[str]:
        """The needed words that start one of the forms of a token of ``text``."""
        compiled = self.languages[language]
        doc = self.reader.nlp(language)(text)
        forms = {f for s in self.reader.sentences(language, doc) for t in s.tokens for f in t.forms}
        words, lengths = compiled.words, compiled.lengths
        return frozenset(f[:n] for f in forms for n in lengths if f[:n] in words)

    def passes(self, text: str, language: str) -> bool:
        """False only when no pattern of a loaded category can fire in ``text``."""
        compiled = self.languages.get(language)
        if compiled is None:
            return True  # no lexicon: nothing to screen with (the detector counts it unread)
        if not compiled.patterns:
            return False
        found = self.words(text, language)
        return any(
            all(any(all(w in found for w in need) for need in group) for group in pattern)
            for pattern in compiled.patterns
        )
