"""Gazetteers: countries, demonyms, border crossings and border regions, as editable data.

The small spaCy model gets border places wrong (a crossing tagged PERSON, a town tagged NORP),
so the gazetteers in ``rules/gazetteers/`` are applied as a ``SpanRuler`` after the
statistical pipeline: a gazetteer match replaces whatever spaCy guessed for those words, and
carries a normalised id (``ent_id_``: an ISO alpha-3 code, a crossing id, a region id).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import pycountry
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.pipeline import SpanRuler
from spacy.tokens import Doc, Span

from borderwatch.core.errors import Codes, Problem, RuleError
from borderwatch.core.yamlsrc import LocatedYaml, load_located, schema_problems
from borderwatch.streams.rules.factexpr import is_country_code

CROSSING = "CROSSING"
REGION = "REGION"
COUNTRY_LABELS = frozenset({"GPE", "NORP", "LOC"})


def _country(code: str) -> str:
    if not is_country_code(code):
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-3 code")
    return code


CountryCode = Annotated[str, AfterValidator(_country)]


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return list(dict.fromkeys([self.name, *self.aliases]))


class Crossing(_Entry):
    countries: tuple[CountryCode, CountryCode]
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class Region(_Entry):
    country: CountryCode


class CountriesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    aliases: dict[str, CountryCode] = Field(default_factory=dict)
    demonyms: dict[str, CountryCode | None] = Field(default_factory=dict)


class CrossingsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    crossings: list[Crossing]


class RegionsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    regions: list[Region]


def _read(
    path: Path, model: type[BaseModel], problems: list[Problem]
) -> tuple[LocatedYaml | None, Any]:
    """The file's located text and its model; an absent file is (None, None), not a problem."""
    if not path.exists():
        return None, None
    doc = load_located(path)
    problems.extend(doc.problems)
    if doc.data is None:
        if not doc.problems:  # empty, only comments, or a bare ``~``
            problems.append(Problem.of(Codes.R003, path, 1, 1, detail="file is empty"))
        return doc, None
    try:
        return doc, model.model_validate(doc.data)
    except ValidationError as exc:
        problems.extend(schema_problems(doc, exc, Codes.R003.code))
        return doc, None


@lru_cache(maxsize=4096)
def _pycountry_alpha3(name: str) -> str | None:
    if len(name) < 4:  # "US", "UK" and 3-letter codes are aliases; avoid "Al" -> ALB
        return None
    try:
        return str(pycountry.countries.lookup(name).alpha_3)
    except LookupError:
        return None


def _country_names() -> Iterable[tuple[str, str]]:
    for country in pycountry.countries:
        for attr in ("name", "common_name"):
            name = getattr(country, attr, None)
            if name and "," not in name and "(" not in name:
                yield name, str(country.alpha_3)


@dataclass(frozen=True)
class Gazetteer:
    aliases: dict[str, str] = field(default_factory=dict)
    demonyms: dict[str, str | None] = field(default_factory=dict)
    crossings: dict[str, Crossing] = field(default_factory=dict)
    regions: dict[str, Region] = field(default_factory=dict)
    written: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (label, code)

    @classmethod
    def load(cls, directory: Path) -> Gazetteer:
        """Read the gazetteer files; raise ``RuleError`` with located problems if any is bad."""
        problems: list[Problem] = []
        _, countries = _read(directory / "countries.yaml", CountriesFile, problems)
        crossings_doc, crossings = _read(directory / "crossings.yaml", CrossingsFile, problems)
        regions_doc, regions = _read(directory / "regions.yaml", RegionsFile, problems)
        seen: dict[str, str] = {}
        for kind, doc, entries in (
            ("crossings", crossings_doc, crossings.crossings if crossings else []),
            ("regions", regions_doc, regions.regions if regions else []),
        ):
            if doc is None:
                continue
            for i, entry in enumerate(entries):
                at = (kind, i, "id")
                if entry.id in seen:
                    problems.append(
                        Problem.of(Codes.R014, doc.path, *doc.locate(at), id=entry.id,
                                   kind=kind, other=seen[entry.id])
                    )  # fmt: skip
                    continue
                line = doc.locate(at)[0]
                seen[entry.id] = f"{doc.path.name}:{line}"
        if problems:
            raise RuleError(problems)
        aliases = countries.aliases if countries else {}
        demonyms = countries.demonyms if countries else {}
        written = {k: ("GPE", v) for k, v in aliases.items() if not k.startswith("the ")}
        written.update({k: ("NORP", v) for k, v in demonyms.items() if v})
        return cls(
            aliases={k.lower(): v for k, v in aliases.items()},
            demonyms={k.lower(): v for k, v in demonyms.items()},
            written=written,
            crossings={c.id: c for c in (crossings.crossings if crossings else [])},
            regions={r.id: r for r in (regions.regions if regions else [])},
        )

    def country(self, name: str) -> str | None:
        """ISO alpha-3 for a country name or demonym ("Turkish", "Syrians", "the UK")."""
        key = name.strip().removeprefix("the ").strip().lower()
        key = key.removesuffix("'s").removesuffix("’s")
        if key in self.demonyms:
            return self.demonyms[key]
        if key in self.aliases:
            return self.aliases[key]
        return _pycountry_alpha3(key)

    def countries_of(self, ent: Span) -> list[str]:
        """The countries an entity names: its own, a region's, or both sides of a crossing."""
        if ent.label_ == CROSSING and ent.ent_id_ in self.crossings:
            return list(self.crossings[ent.ent_id_].countries)
        if ent.label_ == REGION and ent.ent_id_ in self.regions:
            return [self.regions[ent.ent_id_].country]
        if ent.label_ in COUNTRY_LABELS:
            code = ent.ent_id_ if ent.ent_id_ else self.country(ent.text)
            return [code] if code else []
        return []

    def patterns(self, nlp: Language) -> list[dict[str, Any]]:
        """Token patterns: exact case for country names (so "turkey" the bird stays a bird),
        any case for crossings and regions (their names are distinctive)."""

        def tokens(text: str, attr: str) -> list[dict[str, str]]:
            words = [t.text for t in nlp.tokenizer(text)]
            return [{attr: w if attr == "ORTH" else w.lower()} for w in words]

        out: list[dict[str, Any]] = []
        for crossing in self.crossings.values():
            for name in crossing.names:
                out.append({"label": CROSSING, "id": crossing.id, "pattern": tokens(name, "LOWER")})
        for region in self.regions.values():
            for name in region.names:
                out.append({"label": REGION, "id": region.id, "pattern": tokens(name, "LOWER")})
        names = {name: ("GPE", code) for name, code in _country_names()}
        names.update(self.written)
        for name, (label, code) in names.items():
            out.append({"label": label, "id": code, "pattern": tokens(name, "ORTH")})
        return out

    def annotator(self, nlp: Language) -> GazetteerRuler:
        """The same matches as ``ruler``, from two PhraseMatchers (exact case and lower
        case): a token-pattern Matcher of some 700 names costs more than the parse of a
        relevant article, and the scoped reading runs this over every word of it."""
        return GazetteerRuler(nlp, self.patterns(nlp))

    def ruler(self, nlp: Language) -> SpanRuler:
        ruler = SpanRuler(
            nlp,
            name="bw_gazetteer",
            spans_key=None,
            annotate_ents=True,
            ents_filter=_gazetteer_wins,
            validate=True,
        )
        ruler.add_patterns(self.patterns(nlp))
        return ruler


class GazetteerRuler:
    """A ``SpanRuler`` for single-attribute token patterns (each token ``ORTH`` or each
    ``LOWER``), with ``_gazetteer_wins`` as its entity filter: the same spans, labels and
    ids, in the same order."""

    def __init__(self, nlp: Language, patterns: Iterable[dict[str, Any]]) -> None:
        self.matchers = {attr: PhraseMatcher(nlp.vocab, attr=attr) for attr in ("ORTH", "LOWER")}
        self.labels: dict[int, tuple[str, str]] = {}
        for entry in patterns:
            tokens = entry["pattern"]
            attr = next(iter(tokens[0]))
            label, ent_id = entry["label"], entry.get("id", "")
            name = repr((label, ent_id))
            self.labels[nlp.vocab.strings.add(name)] = (label, ent_id)
            self.matchers[attr].add(name, [Doc(nlp.vocab, words=[t[attr] for t in tokens])])

    def __call__(self, doc: Doc) -> Doc:
        found: set[Span] = set()
        for matcher in self.matchers.values():
            for key, start, end in matcher(doc):
                label, ent_id = self.labels[key]
                found.add(Span(doc, start, end, label=label, span_id=ent_id))
        doc.ents = sorted(_gazetteer_wins(list(doc.ents), sorted(found)))
        return doc


def _gazetteer_wins(entities: Iterable[Span], spans: Iterable[Span]) -> list[Span]:
    """Gazetteer spans replace the statistical entities they overlap, except inside a longer
    entity that is a person ("Tina Turner") or when a country name is part of a longer
    name ("Gaza City")."""
    existing = list(entities)
    chosen: list[Span] = []
    taken: set[int] = set()
    for span in sorted(spans, key=lambda s: (s.end - s.start, -s.start), reverse=True):
        if any(t in taken for t in range(span.start, span.end)):
            continue
        inside = [
            e
            for e in existing
            if e.start <= span.start and span.end <= e.end and len(e) > len(span)
        ]
        if any(e.label_ == "PERSON" or span.label_ in ("GPE", "NORP") for e in inside):
            continue
        chosen.append(span)
        taken.update(range(span.start, span.end))
        existing = [e for e in existing if not (e.start < span.end and e.end > span.start)]
    return existing + chosen
