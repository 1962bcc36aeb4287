"""The rule language: typed models, and a loader that reports every problem with its place.

Rules are data that analysts edit while the system runs; they must be able to trust that a
mistyped key, a duplicate id or an impossible pattern is reported (not ignored) and points at
the exact line.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from borderwatch.errors import Problem, RuleError
from borderwatch.models import Severity
from borderwatch.yamlsrc import LocatedYaml, load_located

CATEGORIES = ("border_opening", "border_closure", "troop_casualties", "border_shooting")

ENTITY_LABELS = frozenset(
    {
        "PERSON",
        "NORP",
        "FAC",
        "ORG",
        "GPE",
        "LOC",
        "PRODUCT",
        "EVENT",
        "WORK_OF_ART",
        "LAW",
        "LANGUAGE",
        "DATE",
        "TIME",
        "PERCENT",
        "MONEY",
        "QUANTITY",
        "ORDINAL",
        "CARDINAL",
    }
)

GAP = "..."
_WORD = re.compile(r"^=?[\w'’.-]+\*?$", re.UNICODE)


class Status(StrEnum):
    experimental = "experimental"
    test = "test"
    stable = "stable"


class Scope(StrEnum):
    sentence = "sentence"
    article = "article"


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def phrase_problem(phrase: str) -> str | None:
    """Why a phrase cannot become a token pattern, or None when it can."""
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


class Condition(BaseModel):
    """One test on a sentence: any of the phrases occurs, or an entity of any listed label."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    phrase: list[str] | None = Field(
        default=None,
        description="Any of these phrases; matched on lemmas, case-insensitive. "
        "'word*' matches a word prefix, '=word' exactly that form, '...' up to 5 words.",
    )
    entity: list[str] | None = Field(
        default=None, description="Any named entity with one of these spaCy labels."
    )

    _coerce_phrase = field_validator("phrase", "entity", mode="before")(_as_list)

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

    @model_validator(mode="after")
    def _exactly_one(self) -> Condition:
        given = [name for name in ("phrase", "entity") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("a condition needs exactly one of: phrase, entity")
        return self


class Examples(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    match: list[str] = Field(default_factory=list)
    no_match: list[str] = Field(default_factory=list)


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$", max_length=80)
    title: str = Field(min_length=1)
    category: str
    severity: Severity = Severity.medium
    status: Status = Status.experimental
    description: str = ""
    scope: Scope = Scope.sentence
    all_: list[Condition] = Field(default_factory=list, alias="all")
    any_: list[Condition] = Field(default_factory=list, alias="any")
    none_: list[Condition] = Field(default_factory=list, alias="none")
    examples: Examples = Field(default_factory=Examples)

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str) -> str:
        if value not in CATEGORIES:
            raise ValueError(f"unknown category {value!r}; known: {', '.join(CATEGORIES)}")
        return value

    @model_validator(mode="after")
    def _has_positive_condition(self) -> Rule:
        if not self.all_ and not self.any_:
            raise ValueError("a rule needs at least one 'all' or 'any' condition")
        return self


class RuleFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: list[Rule] = Field(min_length=1)


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    files: tuple[Path, ...]
    version: str

    @property
    def categories(self) -> list[str]:
        return sorted({r.category for r in self.rules})


def rule_files(paths: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.glob("*.y*ml") if p.suffix in (".yaml", ".yml")))
        else:
            found.append(path)
    return found


def _validation_problems(doc: LocatedYaml, exc: ValidationError) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = tuple(
            {"all_": "all", "any_": "any", "none_": "none"}.get(str(p), p) for p in err["loc"]
        )
        where = ".".join(str(p) for p in loc)
        msg = str(err["msg"]).removeprefix("Value error, ")
        code = "R005" if "phrase" in where or "entity" in where else "R003"
        if err["type"] == "extra_forbidden":
            msg = f"unknown key {loc[-1]!r}"
        problems.append(doc.problem(code, f"{where}: {msg}" if where else msg, loc))
    return problems


def load_rules(paths: Iterable[Path]) -> RuleSet:
    """Load and validate every rule file; raise ``RuleError`` listing all problems at once."""
    files = rule_files(list(paths))
    problems: list[Problem] = []
    if not files:
        raise RuleError(Problem("R007", "no rule files (*.yaml) found"))
    rules: list[Rule] = []
    first_seen: dict[str, tuple[Path, int | None]] = {}
    digest = hashlib.sha256()
    for path in files:
        doc = load_located(path)
        problems.extend(doc.problems)
        if doc.data is None:
            if not doc.problems:
                problems.append(Problem("R003", "file is empty", path))
            continue
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
        try:
            parsed = RuleFile.model_validate(doc.data)
        except ValidationError as exc:
            problems.extend(_validation_problems(doc, exc))
            continue
        for i, rule in enumerate(parsed.rules):
            line, col = doc.locate(("rules", i, "id"))
            if rule.id in first_seen:
                other, other_line = first_seen[rule.id]
                problems.append(
                    Problem(
                        "R004",
                        f"duplicate rule id {rule.id!r} (also at {other}:{other_line})",
                        path,
                        line,
                        col,
                    )
                )
                continue
            first_seen[rule.id] = (path, line)
            rules.append(rule)
    if problems:
        raise RuleError(problems)
    return RuleSet(tuple(rules), tuple(files), digest.hexdigest()[:12])
