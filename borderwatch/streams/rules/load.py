"""Loading a rules directory as one validated set: rule files, named lists and cue lists.

A rule set is accepted or rejected as a whole, with every problem reported at once and
located (``path:line:col: [Rnnn] ...``), so a running worker can keep its last good set when
an edit is wrong. Named lists are expanded here, so matching never sees an ``@name``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from borderwatch.core.errors import Codes, Problem, RuleError
from borderwatch.core.yamlsrc import DataPath, LocatedYaml, load_located
from borderwatch.streams.reading.languages.lexicon import LANGUAGES_DIR
from borderwatch.streams.rules.factexpr import parse_fact
from borderwatch.streams.rules.model import (
    Condition,
    CueKind,
    ListFile,
    NamedList,
    Rule,
    RuleFile,
    is_list_ref,
    phrase_problem,
)

LISTS_DIR = "lists"
GAZETTEERS_DIR = "gazetteers"
CUE_PREFIX = "cue_"
_UNION_TAGS = frozenset({"str", "MatchExample", "NoMatchExample"})
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class RuleOrigin:
    doc: LocatedYaml
    index: int

    def problem(self, code: str, message: str, *loc: str | int) -> Problem:
        return self.doc.problem(code, message, ("rules", self.index, *loc))


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    files: tuple[Path, ...]
    version: str
    lists: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Per list, its words in other languages (``languages:``), for the lexicons' ``@name``.
    list_languages: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    cues: dict[CueKind, frozenset[str]] = field(default_factory=dict)
    origins: dict[str, RuleOrigin] = field(default_factory=dict)

    @property
    def categories(self) -> list[str]:
        return sorted({r.category for r in self.rules})

    def cues_for(self, rule: Rule) -> dict[CueKind, frozenset[str]]:
        """The shared cue lists, with the rule's own replacements applied."""
        merged = dict(self.cues)
        for kind, words in rule.cues.items():
            merged[kind] = frozenset(w.lower() for w in words)
        return merged


def rule_files(paths: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(_yaml_in(path))
        else:
            found.append(path)
    return found


def _yaml_in(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(
        p for p in directory.glob("*.y*ml") if p.suffix in (".yaml", ".yml") and p.is_file()
    )


def list_files(paths: Iterable[Path]) -> list[Path]:
    """``lists/`` beside the rules: in each given directory, or beside each given file."""
    dirs: dict[Path, None] = {}
    for path in paths:
        dirs.setdefault((path if path.is_dir() else path.parent) / LISTS_DIR, None)
    return [f for d in dirs for f in _yaml_in(d)]


def _validation_problems(doc: LocatedYaml, exc: ValidationError) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = tuple(
            {"all_": "all", "any_": "any", "none_": "none", "in_": "in"}.get(str(p), p)
            for p in err["loc"]
        )
        # pydantic appends the union member's type name ("str", "MatchExample"); not a key.
        loc = tuple(p for p in loc if p not in _UNION_TAGS)
        msg = str(err["msg"]).removeprefix("Value error, ")
        if loc and loc[-1] == "[key]":
            loc = loc[:-1]
            msg = f"name {loc[-1]!r} must be lower_snake_case (a-z, 0-9, _)"
        where = ".".join(str(p) for p in loc)
        keys = {str(p) for p in loc}
        code = Codes.R003
        if "fact" in keys:
            code = Codes.R008
        elif keys & {"phrase", "entity"}:
            code = Codes.R005
        if err["type"] == "extra_forbidden":
            msg = f"unknown key {loc[-1]!r}"
        detail = f"{where}: {msg}" if where else msg
        problems.append(Problem.of(code, doc.path, *doc.locate(loc), detail=detail))
    return problems


class _Loader:
    """Collects problems across all files instead of stopping at the first one."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.digest = hashlib.sha256()
        self.languages: dict[str, dict[str, tuple[str, ...]]] = {}

    def read(self, path: Path, root: Path | None = None) -> LocatedYaml | None:
        doc = load_located(path)
        self.problems.extend(doc.problems)
        if doc.data is None:
            if not doc.problems:  # empty, only comments, or a bare ``~``
                self.problems.append(Problem.of(Codes.R003, path, 1, 1, detail="file is empty"))
            return None
        name = str(path.relative_to(root)) if root and path.is_relative_to(root) else path.name
        self.digest.update(name.encode() + b"\0" + doc.raw + b"\0")
        return doc

    def hash_file(self, path: Path) -> None:
        """A file the version depends on but that is validated elsewhere (a gazetteer)."""
        try:
            data = path.read_bytes()
        except OSError as exc:
            detail = f"cannot read file: {exc.strerror}"
            self.problems.append(Problem.of(Codes.R001, path, detail=detail))
            return
        self.digest.update(path.name.encode() + b"\0" + data + b"\0")

    def parse(self, path: Path, model: type[M]) -> tuple[LocatedYaml | None, M | None]:
        """Read and validate one file; its problems are collected, not raised."""
        doc = self.read(path)
        if doc is None:
            return None, None
        try:
            return doc, model.model_validate(doc.data)
        except ValidationError as exc:
            self.problems.extend(_validation_problems(doc, exc))
            return doc, None

    def lists(self, files: list[Path]) -> tuple[dict[str, tuple[str, ...]], dict[str, Any]]:
        found: dict[str, tuple[str, ...]] = {}
        where: dict[str, tuple[LocatedYaml, str]] = {}
        for path in files:
            doc, parsed = self.parse(path, ListFile)
            if doc is None or parsed is None:
                continue
            for name, named in parsed.lists.items():
                if name in where:
                    other, _ = where[name]
                    line = other.locate(("lists", name))[0]
                    self.problems.append(
                        Problem.of(
                            Codes.R010,
                            doc.path,
                            *doc.locate(("lists", name)),
                            name=name,
                            other=f"{other.path}:{line}",
                        )
                    )
                    continue
                where[name] = (doc, name)
                found[name] = self._list_items(doc, name, named)
                self.languages[name] = {k: tuple(v) for k, v in named.languages.items()}
        return found, where

    def _list_items(self, doc: LocatedYaml, name: str, named: NamedList) -> tuple[str, ...]:
        items = []
        for i, item in enumerate(named.items):
            if is_list_ref(item):
                self.problems.append(
                    Problem.of(Codes.R006, doc.path, *doc.locate(("lists", name, "items", i)),
                               detail=f"a list cannot reference another list ({item})")
                )  # fmt: skip
                continue
            items.append(item)
        return tuple(items)


Check = Callable[[str], str | None]


class _Expander:
    """Replaces ``@name`` with the named list's items, reporting what cannot be expanded."""

    def __init__(
        self,
        lists: dict[str, tuple[str, ...]],
        list_where: dict[str, tuple[LocatedYaml, str]],
        origin: RuleOrigin,
        problems: list[Problem],
    ) -> None:
        self.lists, self.list_where = lists, list_where
        self.origin, self.problems = origin, problems

    def __call__(self, values: list[str], loc: DataPath, check: Check | None = None) -> list[str]:
        out: list[str] = []
        for i, value in enumerate(values):
            if not is_list_ref(value):
                out.append(value)
                continue
            name = value[1:]
            if name not in self.lists:
                known = ", ".join(sorted(self.lists)) or "none defined"
                self.problems.append(
                    self.origin.problem(
                        Codes.R006.code,
                        Codes.R006.format(detail=f"unknown list {value!r} (known lists: {known})"),
                        *loc,
                        i,
                    )
                )
                continue
            for j, item in enumerate(self.lists[name]):
                problem = check(item) if check else None
                if problem:
                    doc, _ = self.list_where[name]
                    at = ("lists", name, "items", j)
                    detail = f"{problem} (used as {value})"
                    self.problems.append(
                        Problem.of(Codes.R005, doc.path, *doc.locate(at), detail=detail)
                    )
                else:
                    out.append(item)
        return list(dict.fromkeys(out))

    def rule(self, rule: Rule) -> Rule:
        blocks: dict[str, Any] = {}
        for block, conditions in rule.blocks:
            blocks[f"{block}_"] = [self.condition(cond, (block, c)) for c, cond in
                                   enumerate(conditions)]  # fmt: skip
        cues = {
            kind: self(words, ("cues", kind.value), _cue_problem)
            for kind, words in rule.cues.items()
        }
        return rule.model_copy(update={**blocks, "cues": cues})

    def condition(self, cond: Condition, at: DataPath) -> Condition:
        update: dict[str, Any] = {}
        if cond.phrase is not None:
            update["phrase"] = self(cond.phrase, (*at, "phrase"), phrase_problem)
        if cond.in_ is not None:
            update["in_"] = self(cond.in_, (*at, "in"))
        if cond.fact is not None:
            exprs = []
            for e, expr in enumerate(cond.fact):
                test = parse_fact(expr)
                if isinstance(test.value, tuple) and any(map(is_list_ref, test.value)):
                    values = self(list(test.value), (*at, "fact", e))
                    if not values:  # the unknown list is already reported
                        continue
                    expr = str(test.with_values(values))
                    try:
                        parse_fact(expr)  # list items must be valid values too
                    except ValueError as exc:
                        message = Codes.R008.format(detail=exc)
                        self.problems.append(
                            self.origin.problem(Codes.R008.code, message, *at, "fact", e)
                        )
                        continue
                exprs.append(expr)
            update["fact"] = exprs
        return cond.model_copy(update=update)


def _cue_problem(word: str) -> str | None:
    return None if word.replace("'", "").isalpha() else f"cue {word!r} must be a single word"


def _cues(lists: dict[str, tuple[str, ...]]) -> dict[CueKind, frozenset[str]]:
    return {
        kind: frozenset(w.lower() for w in lists.get(CUE_PREFIX + kind.value, ()))
        for kind in CueKind
    }


def load_rules(paths: Iterable[Path]) -> RuleSet:
    """Load and validate every rule and list file; raise ``RuleError`` listing all problems."""
    given = list(paths)
    files = rule_files(given)
    if not files:
        raise RuleError(Problem.of(Codes.R007))
    loader = _Loader()
    lists, list_where = loader.lists(list_files(given))
    rules: list[Rule] = []
    origins: dict[str, RuleOrigin] = {}
    for path in files:
        doc, parsed = loader.parse(path, RuleFile)
        if doc is None or parsed is None:
            continue
        for i, rule in enumerate(parsed.rules):
            origin = RuleOrigin(doc, i)
            if rule.id in origins:
                other = origins[rule.id]
                line = other.doc.locate(("rules", other.index, "id"))[0]
                loader.problems.append(
                    origin.problem(
                        Codes.R004.code,
                        Codes.R004.format(rule_id=rule.id, other=f"{other.doc.path}:{line}"),
                        "id",
                    )
                )  # fmt: skip
                continue
            origins[rule.id] = origin
            rules.append(_Expander(lists, list_where, origin, loader.problems).rule(rule))
    # Gazetteers and language lexicons are part of what the rules read: an edit to either
    # is a new rule set version on every alert.
    for base in sorted({p if p.is_dir() else p.parent for p in given}):
        for directory in (base / GAZETTEERS_DIR, base / LANGUAGES_DIR):
            for path in _yaml_in(directory):
                loader.hash_file(path)
    if loader.problems:
        raise RuleError(loader.problems)
    return RuleSet(
        rules=tuple(rules),
        files=tuple(files),
        version=loader.digest.hexdigest()[:12],
        lists=lists,
        list_languages=loader.languages,
        cues=_cues(lists),
        origins=origins,
    )
