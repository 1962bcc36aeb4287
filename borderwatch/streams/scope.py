"""Sentence-scoped reading: parse only the sentences a rule can match, and what facts need.

An article that passes the prefilter is tokenized and split into sentences without a model
(``nlp.sentence_starts``); ``Prefilter.pick`` says which sentences a rule could match in and
which the facts must read (frame and casualty sentences, border sentences, the headline, the
lead as far as it counts). Those sentences, each run with one sentence of context either
side (the model's window reaches a few tokens past a sentence; one whole sentence more makes
the parse of the ones inside the same as in the whole article), go through the tagger,
parser and NER in one ``nlp.pipe`` batch. The gazetteers run over the parsed pieces and over
the rest of the text; one document is assembled from the pieces and, for every sentence not
parsed, its place names (``nlp.assemble``), and facts and rules read that, so sentence
numbers, evidence and the order of countries are the whole article's while the facts and
the matcher see a tenth of its words.

``scoped=False`` on the detector (``SENTENCE_SCOPE=0``) parses every sentence instead; a
test shows the same alerts, facts and evidence both ways.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import pairwise

from spacy.language import Language
from spacy.tokens import Doc

from borderwatch.streams.prefilter import Pick, Prefilter
from borderwatch.streams.reading.nlp import assemble, sentence_starts

STAGES = ("prefilter", "sentence pick", "parse", "facts and frames", "match")
CONTEXT = 1  # sentences parsed on each side of a picked one, not read


@dataclass
class StageClock:
    """Seconds spent per stage, and how many articles and sentences went through: the bench
    reads it (``Detector.clock``); nothing is timed when no clock is set."""

    seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    articles: int = 0  # articles read, prefiltered or not
    passing: int = 0  # articles past the article prefilter
    sentences: int = 0  # sentences of passing articles
    parsed: int = 0  # of those, parsed (picked or context)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] += time.perf_counter() - start


@contextmanager
def timed(clock: StageClock | None, name: str) -> Iterator[None]:
    if clock is None:
        yield
        return
    with clock.stage(name):
        yield


@dataclass(frozen=True)
class Scoped:
    """One article read sentence-scoped: its document (``nlp.assemble``: the parsed pieces,
    and the other sentences as their entities) and where the parsed pieces lie in it."""

    doc: Doc
    ranges: tuple[tuple[int, int], ...]


def chunks(picked: Iterable[int], starts: Sequence[int], length: int) -> list[tuple[int, int]]:
    """Token ranges to parse: runs of picked sentences with ``CONTEXT`` sentences each side."""
    count = len(starts)
    wanted = sorted({j for i in picked for j in range(i - CONTEXT, i + CONTEXT + 1)
                     if 0 <= j < count})  # fmt: skip
    bounds = [*starts, length]
    out: list[tuple[int, int]] = []
    for i in wanted:
        a, b = bounds[i], bounds[i + 1]
        if out and out[-1][1] == a:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def read_scoped(
    nlp: Language,
    prefilter: Prefilter,
    annotate: Callable[[Doc], Doc],
    texts: Sequence[str],
    dated: Sequence[bool],
    batch_size: int = 64,
    clock: StageClock | None = None,
) -> list[Scoped | None]:
    """Each text read sentence-scoped, or None where no rule can match any of its scopes."""
    plans: list[tuple[Doc, list[int], list[tuple[int, int]], Pick] | None] = []
    with timed(clock, "sentence pick"):
        for text, has_date in zip(texts, dated, strict=True):
            doc = nlp.make_doc(text)
            starts = sentence_starts(doc)
            pick = prefilter.pick(doc, text, starts, has_date)
            if pick is None:
                plans.append(None)
                continue
            ranges = chunks(pick.sentences, starts, len(doc))
            if clock is not None:
                clock.sentences += len(starts)
                clock.parsed += sum(1 for s in starts if any(a <= s < b for a, b in ranges))
            plans.append((doc, starts, ranges, pick))
    with timed(clock, "parse"):
        parts = [doc[a:b].as_doc() for plan in plans if plan for doc, _, rs, _ in [plan]
                 for a, b in rs]  # fmt: skip
        parsed = iter(nlp.pipe(parts, batch_size=batch_size))
        out: list[Scoped | None] = []
        for plan in plans:
            if plan is None:
                out.append(None)
                continue
            doc, starts, ranges, pick = plan
            pieces = [(a, annotate(next(parsed))) for a, _ in ranges]
            compact, placed = assemble(annotate(doc), starts, pieces)
            out.append(Scoped(compact, matching(placed, pick, starts)))
    return out


def matching(
    placed: Sequence[tuple[int, int, int]], pick: Pick, starts: Sequence[int]
) -> tuple[tuple[int, int], ...]:
    """Where in the assembled document rules' phrases can match: ``pick.reach`` tokens
    around each token holding a phrase's string, and whole sentences where a phrase has no
    string, inside the parsed pieces."""
    following = dict(pairwise([*starts, -1]))  # the last sentence runs to its piece's end
    wanted: list[tuple[int, int]] = []
    for source, at, length in placed:
        end = source + length
        for i in pick.phrase_sentences:
            a = starts[i]
            if source <= a < end:
                b = following[a] if following[a] >= 0 else end
                wanted.append((at + a - source, at + min(b, end) - source))
        for token in pick.phrase_tokens:
            if source <= token < end:
                lo = max(source, token - pick.reach)
                hi = min(end, token + pick.reach + 1)
                wanted.append((at + lo - source, at + hi - source))
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(wanted):
        if out and out[-1][1] >= lo:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return tuple(out)
