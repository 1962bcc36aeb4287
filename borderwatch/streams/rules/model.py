"""The rule language as typed models: what a rule author may write, and nothing else.

Every model forbids unknown keys, so a typo ("severty") is an error with a line number rather
than a silently ignored setting. The JSON Schema published for editors is generated from
these models (``borderwatch rules schema``).
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from borderwatch.core.models import RULE_CATEGORIES, Severity
from borderwatch.streams.rules.factexpr import parse_fact

SPACY_LABELS = (
    "PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW",
    "LANGUAGE", "DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL",
)  # fmt: skip
GAZETTEER_LABELS = ("CROSSING", "REGION")
ENTITY_LABELS = frozenset(SPACY_LABELS + GAZETTEER_LABELS)

GAP = "..."
LIST_REF = "@"
_WORD = re.compile(r"^=?[\w'’.-]+\*?$", re.UNICODE)
_LIST_NAME = r"^[a-z][a-z0-9_]*$"


class Status(StrEnum):
    experimental = "experimental"
    test = "test"
    stable = "stable"


class Scope(StrEnum):
    sentence = "sentence"
    article = "article"


class Modality(StrEnum):
    """Ways a sentence can mention an event without reporting it as having happened."""

    negated = "negated"
    hedged = "hedged"
    historical = "historical"


class CueKind(StrEnum):
    """The shared cue lists (``rules/lists/cues.yaml``: ``cue_<kind>``) a rule may override."""

    negation = "negation"
    denial = "denial"
    modal = "modal"
    reporting = "reporting"
    threat = "threat"
    conditional = "conditional"
    historical = "historical"


def is_list_ref(value: str) -> bool:
    return value.startswith(LIST_REF)


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def phrase_problem(phrase: str) -> str | None:
    """Why a phrase cannot become a token pattern, or None when it can."""
    if is_list_ref(phrase):
        return None if re.match(_LIST_NAME, phrase[1:]) else f"bad list reference {phrase!r}"
    words = phrase.split()
    if not words:
        return "empty phrase"
    if words[0] == GAP or words[-1] == GAP:
        return f"phrase {phrase!r} cannot start or end with '{GAP}'"
    for word in words:
        if word == GAP:
            continue
        if word == "*" or not _WORD.match(word):
            return (
                f"phrase {phrase!r}: word {word!r} is not allowed "
                "(use letters/digits, a trailing '*' for a prefix, a leading '=' for an "
                "exact form, '...' for a gap)"
            )
    return None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Condition(_Strict):
    """One test on a scope: a phrase occurs, an entity is named, or an extracted fact holds."""

    phrase: list[str] | None = Field(
        default=None,
        description="Any of these phrases; matched on lemmas, case-insensitive. 'word*' "
        "matches a word prefix, '=word' exactly that form, '...' up to 5 words, '@name' "
        "every phrase of a named list.",
    )
    entity: list[str] | None = Field(
        default=None,
        description="A named entity with one of these labels (spaCy's, or CROSSING/REGION "
        "from the gazetteers).",
    )
    in_: list[str] | None = Field(
        default=None,
        alias="in",
        description="With 'entity': its normalised value is one of these (ISO alpha-3 codes "
        "for GPE/NORP/LOC, lower-case text otherwise); '@name' for a named list.",
    )
    fact: list[str] | None = Field(
        default=None,
        description="Expressions on extracted facts, all true of one record: "
        "'casualties.count >= 10', 'casualties.who in [soldier, border_guard]', "
        "'countries in [TUR, SYR]'.",
    )

    _coerce = field_validator("phrase", "entity", "in_", "fact", mode="before")(_as_list)

    @field_validator("phrase")
    @classmethod
    def _valid_phrases(cls, phrases: list[str] | None) -> list[str] | None:
        if phrases is not None:
            if not phrases:
                raise ValueError("phrase list is empty")
            for phrase in phrases:
                problem = phrase_problem(phrase)
                if problem:
                    raise ValueError(problem)
        return phrases

    @field_validator("entity")
    @classmethod
    def _valid_labels(cls, labels: list[str] | None) -> list[str] | None:
        if labels is not None:
            if not labels:
                raise ValueError("entity list is empty")
            unknown = [label for label in labels if label not in ENTITY_LABELS]
            if unknown:
                raise ValueError(
                    f"unknown entity label(s) {unknown}; known: {sorted(ENTITY_LABELS)}"
                )
        return labels

    @field_validator("fact")
    @classmethod
    def _valid_facts(cls, exprs: list[str] | None) -> list[str] | None:
        if exprs is not None:
            if not exprs:
                raise ValueError("fact list is empty")
            for expr in exprs:
                parse_fact(expr)  # raises ValueError naming the problem
            paths = {parse_fact(e).record for e in exprs}
            if len(paths) > 1:
                raise ValueError(
                    "expressions in one 'fact' condition must test one kind of record; "
                    "write separate conditions for casualties and countries"
                )
        return exprs

    @model_validator(mode="after")
    def _exactly_one(self) -> Condition:
        given = [name for name in ("phrase", "entity", "fact") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("a condition needs exactly one of: phrase, entity, fact")
        if self.in_ is not None and self.entity is None:
            raise ValueError("'in' narrows an 'entity' condition and needs one")
        return self

    @property
    def kind(self) -> str:
        return "phrase" if self.phrase else "entity" if self.entity else "fact"

    def describe(self) -> str:
        if self.phrase is not None:
            return "phrase " + " | ".join(self.phrase)
        if self.entity is not None:
            values = f" in [{', '.join(self.in_)}]" if self.in_ else ""
            return f"entity {'|'.join(self.entity)}{values}"
        return "fact " + " and ".join(self.fact or [])


class ExpectedCasualty(_Strict):
    count: int | None = None
    who: str | None = None
    outcome: str | None = None


class ExpectedFacts(_Strict):
    countries: list[str] = Field(default_factory=list)
    casualties: list[ExpectedCasualty] = Field(default_factory=list)


def _example_language() -> Any:
    return Field(
        default=None,
        pattern=r"^[a-z]{2}$",
        description="ISO 639-1. Not English: the text is read by that language's lexicon "
        "(rules/languages/<xx>.yaml), and what counts is whether the rule's category fires.",
    )


class MatchExample(_Strict):
    text: str = Field(min_length=1)
    language: str | None = _example_language()
    facts: ExpectedFacts | None = Field(
        default=None, description="Facts that must be extracted from the text (a subset)."
    )


class NoMatchExample(_Strict):
    text: str = Field(min_length=1)
    language: str | None = _example_language()


class Examples(_Strict):
    match: list[str | MatchExample] = Field(
        default_factory=list, description="Texts the rule must match."
    )
    no_match: list[str | NoMatchExample] = Field(
        default_factory=list, description="Texts it must not match."
    )


class Rule(_Strict):
    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$", max_length=80)
    title: str = Field(min_length=1)
    category: str = Field(json_schema_extra={"enum": list(RULE_CATEGORIES)})
    severity: Severity = Severity.medium
    status: Status = Status.experimental
    description: str = ""
    falsepositives: list[str] = Field(
        default_factory=list, description="Known situations where the rule fires wrongly."
    )
    tags: list[str] = Field(default_factory=list)
    owner: str | None = None
    scope: Scope = Field(
        default=Scope.sentence,
        description="Where all conditions must hold together: one sentence (default) or the "
        "whole article.",
    )
    within: int | None = Field(
        default=None,
        ge=2,
        le=200,
        description="All conditions within this many tokens of each other (may cross a "
        "sentence boundary); replaces 'scope'.",
    )
    lead: int | None = Field(
        default=None,
        ge=1,
        le=100,
        description="Only the headline and the first N sentences count (news states its "
        "event first; background comes later).",
    )
    accept: list[Modality] = Field(
        default_factory=list,
        description="Let negated, hedged or historical sentences count (they do not by default).",
    )
    cues: dict[CueKind, list[str]] = Field(
        default_factory=dict, description="Replace a shared cue list for this rule."
    )
    sources: list[str] = Field(
        default_factory=list, description="Only articles whose source matches a glob here."
    )
    exclude_sources: list[str] = Field(default_factory=list)
    languages: list[str] = Field(
        default_factory=list,
        description="Only articles in these languages (ISO 639-1; undeclared counts as 'en').",
    )
    all_: list[Condition] = Field(default_factory=list, alias="all")
    any_: list[Condition] = Field(default_factory=list, alias="any")
    none_: list[Condition] = Field(default_factory=list, alias="none")
    examples: Examples = Field(default_factory=Examples)

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str) -> str:
        if value not in RULE_CATEGORIES:  # "surge" comes from the counts, never a rule
            raise ValueError(f"unknown category {value!r}; known: {', '.join(RULE_CATEGORIES)}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Rule:
        if not self.all_ and not self.any_:
            raise ValueError("a rule needs at least one 'all' or 'any' condition")
        if self.within is not None and self.scope is Scope.article:
            raise ValueError("'within' and 'scope: article' cannot be combined")
        return self

    @property
    def blocks(self) -> tuple[tuple[str, list[Condition]], ...]:
        return (("all", self.all_), ("any", self.any_), ("none", self.none_))


class RuleFile(_Strict):
    """A file in ``rules/``: a list of rules."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={"title": "Borderwatch rule file"},
    )

    rules: list[Rule] = Field(min_length=1)


class NamedList(_Strict):
    description: str = ""
    items: list[str] = Field(min_length=1, description="The words in English, rule phrases.")
    languages: dict[Annotated[str, Field(pattern=r"^[a-z]{2}$")], list[str]] = Field(
        default_factory=dict,
        description="The same words in other languages (ISO 639-1 -> lemmas or stems, written "
        "as in rules/languages/<xx>.yaml): a lexicon word group that names @list reads them.",
    )


class ListFile(_Strict):
    """A file in ``rules/lists/``: named lists that rules reference as ``@name``."""

    lists: dict[Annotated[str, Field(pattern=_LIST_NAME)], NamedList] = Field(min_length=1)


SCHEMA_ID = "https://github.com/borderwatch/borderwatch/rules/schema.json"


def rule_file_schema() -> dict[str, Any]:
    """JSON Schema for ``rules/*.yaml``, for editors (VS Code YAML: ``# yaml-language-server``)."""
    schema = RuleFile.model_json_schema(by_alias=True, mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def schema_text() -> str:
    return _dump(rule_file_schema())


def _dump(schema: dict[str, Any]) -> str:
    import json

    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def _schema_of(model: type[BaseModel], path: str, title: str) -> dict[str, Any]:
    schema = model.model_json_schema(by_alias=True, mode="validation")
    schema["title"] = title
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": SCHEMA_ID.replace("schema.json", path), **schema}  # fmt: skip


def schema_texts() -> dict[str, str]:
    """Every kind of file under ``rules/`` and its JSON Schema, by path under ``rules/``:
    rule files, named-list files and language lexicons, all generated from their models."""
    from borderwatch.streams.reading.languages.lexicon import LanguageLexicon

    return {
        "schema.json": schema_text(),
        "lists/schema.json": _dump(_schema_of(ListFile, "lists/schema.json",
                                              "Borderwatch named-list file")),
        "languages/schema.json": _dump(_schema_of(LanguageLexicon, "languages/schema.json",
                                                  "Borderwatch language lexicon")),
    }  # fmt: skip
