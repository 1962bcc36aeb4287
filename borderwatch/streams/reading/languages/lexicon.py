"""Per-language lexicons (``rules/languages/<xx>.yaml``): data, validated like every rule file.

No lemmatiser for these languages is installable here, so words are written as stems and
matched as prefixes of normalised tokens (``sınır`` matches ``sınırı``, ``sınırlarına``).
A category fires on a sentence holding one word of every group its pattern names; ``!group``
forbids a group in that sentence, and ``veto`` groups forbid the category in the whole article.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from borderwatch.core.errors import Codes, Problem, RuleError
from borderwatch.core.models import CATEGORIES
from borderwatch.core.yamlsrc import LocatedYaml, load_located, schema_problems

LANGUAGES_DIR = "languages"
Script = Literal["latin", "greek", "cyrillic", "arabic"]
CueName = Literal["negation", "planned", "historical", "hedge"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CategoryCues(_Strict):
    patterns: list[list[str]] = Field(
        min_length=1, description="Each pattern: group names that must all be in one sentence."
    )
    lead: int = Field(default=8, ge=1, le=200, description="Headline and first N sentences.")
    veto: list[str] = Field(
        default_factory=list, description="Groups that rule the category out of the article."
    )
    need: list[str] = Field(
        default_factory=list,
        description="Groups one of which the article must hold (a shooting needs a border).",
    )
    accept: list[CueName] = Field(
        default_factory=list, description="Cues that do not disqualify a sentence here."
    )
    near: int | None = Field(
        default=None, ge=1, le=60, description="Most tokens a pattern's words may span."
    )


class LanguageLexicon(_Strict):
    language: str = Field(pattern=r"^[a-z]{2}$")
    name: str = Field(min_length=1)
    script: Script
    stopwords: list[str] = Field(
        default_factory=list,
        description="Frequent function words: never read as a country's name.",
    )
    distinct: str = Field(
        default="", description="Letters folding keeps apart (Turkish ö: 'öldü' is not 'oldu')."
    )
    clitics: list[str] = Field(
        default_factory=list, description="Prefixes written onto words (Arabic و, ال, بال)."
    )
    words: dict[str, list[str]] = Field(description="Named groups of stems.")
    categories: dict[str, CategoryCues]
    cues: dict[CueName, list[str]] = Field(default_factory=dict)
    numbers: dict[str, int] = Field(default_factory=dict, description="Number words (stems).")
    months: dict[str, int] = Field(
        default_factory=dict, description="Month names (stems) -> 1..12, to date a sentence."
    )
    countries: dict[str, list[str]] = Field(
        default_factory=dict, description="ISO alpha-3 -> names and demonyms as stems."
    )
    crossings: dict[str, list[str]] = Field(
        default_factory=dict, description="Gazetteer crossing id -> local names."
    )

    @model_validator(mode="after")
    def _consistent(self) -> LanguageLexicon:
        for category, cues in self.categories.items():
            if category not in CATEGORIES:
                raise ValueError(f"unknown category {category!r}; known: {', '.join(CATEGORIES)}")
            named = [g.lstrip("!").lstrip("#") for p in cues.patterns for g in p]
            named += cues.veto + cues.need
            for group in named:
                if group not in self.words:
                    raise ValueError(f"{category}: unknown word group {group!r}")
        return self


@lru_cache(maxsize=1 << 16)  # every article's words go through it, once per language
def fold(text: str) -> str:
    """Lower case without accents, marks or final forms: 'Έβρο' and 'έβρο' and 'εβρο' are one
    stem; Turkish dotted and dotless i are one letter (capitals lose the difference)."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.translate(_FOLD)


# Turkish i, Greek final sigma, Arabic tatweel, alef and ta marbuta forms, typographic apostrophe.
_FOLD = str.maketrans({"ı": "i", "ς": "σ", "ـ": None, "’": "'", "أ": "ا", "إ": "ا", "آ": "ا",
                       "ة": "ه", "ى": "ي"})  # fmt: skip


@dataclass(frozen=True)
class Stem:
    """One lexicon entry, folded: words matched in a row; the last word exact with ``=``."""

    words: tuple[str, ...]
    exact: tuple[bool, ...]
    written: str


def stem(entry: str) -> Stem:
    parts = entry.split()
    return Stem(
        tuple(fold(p.lstrip("=")) for p in parts), tuple(p.startswith("=") for p in parts), entry
    )


ListWords = Mapping[str, Mapping[str, Sequence[str]]]  # list name -> language -> words


def load_languages(directory: Path, lists: ListWords | None = None) -> dict[str, LanguageLexicon]:
    """Every ``<xx>.yaml`` in ``directory``; an absent directory is none. A group's ``@name``
    stands for the named list's words in the lexicon's language (``rules/lists``, their
    ``languages:``). Raises ``RuleError`` with every located problem at once."""
    if not directory.is_dir():
        return {}
    problems: list[Problem] = []
    out: dict[str, LanguageLexicon] = {}
    for path in sorted(directory.glob("*.yaml")):
        doc = load_located(path)
        problems.extend(doc.problems)
        if doc.data is None:
            if not doc.problems:
                problems.append(Problem.of(Codes.R003, path, 1, 1, detail="file is empty"))
            continue
        try:
            lexicon = LanguageLexicon.model_validate(doc.data)
        except ValidationError as exc:
            problems.extend(schema_problems(doc, exc, Codes.R003.code))
            continue
        if lexicon.language != path.stem:
            line, col = doc.locate(("language",))
            detail = f"language {lexicon.language!r} must match the file name {path.stem!r}"
            problems.append(Problem.of(Codes.R003, path, line, col, detail=detail))
            continue
        words = _expand_lists(lexicon, lists or {}, doc, problems)
        out[lexicon.language] = lexicon.model_copy(update={"words": words})
    if problems:
        raise RuleError(problems)
    return out


def _expand_lists(
    lexicon: LanguageLexicon, lists: ListWords, doc: LocatedYaml, problems: list[Problem]
) -> dict[str, list[str]]:
    """Word groups with every ``@name`` replaced by that list's words in this language; a
    list that does not exist, or has none in this language, is a located problem."""
    out: dict[str, list[str]] = {}
    for group, entries in lexicon.words.items():
        words: list[str] = []
        for i, entry in enumerate(entries):
            if not entry.startswith("@"):
                words.append(entry)
                continue
            name = entry[1:]
            found = lists.get(name, {}).get(lexicon.language)
            if not found:
                known = ", ".join(sorted(n for n, by in lists.items() if lexicon.language in by))
                detail = (f"{entry}: no list {name!r} with {lexicon.language!r} words "
                          f"(lists that have them: {known or 'none'})")  # fmt: skip
                problems.append(Problem.of(Codes.R006, doc.path, *doc.locate(("words", group, i)),
                                           detail=detail))  # fmt: skip
                continue
            words.extend(found)
        out[group] = words
    return out
