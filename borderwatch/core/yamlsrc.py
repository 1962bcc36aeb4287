"""YAML loading that remembers where every value came from.

PyYAML's plain loaders drop positions and silently keep the last of two duplicate keys; a
rule author needs ``file:line:col`` for every problem, including a schema error found later
by pydantic, so we compose the node tree ourselves and keep a map from data path to mark.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from borderwatch.core.errors import Codes, Problem

DataPath = tuple[str | int, ...]


@dataclass
class LocatedYaml:
    path: Path
    data: Any
    marks: dict[DataPath, tuple[int, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def locate(self, loc: DataPath) -> tuple[int | None, int | None]:
        """Line and column (1-based) of the deepest known prefix of ``loc``."""
        probe = tuple(loc)
        while probe:
            if probe in self.marks:
                return self.marks[probe]
            probe = probe[:-1]
        return self.marks.get((), (None, None))

    def problem(self, code: str, message: str, loc: DataPath) -> Problem:
        line, col = self.locate(loc)
        return Problem(code, message, self.path, line, col)


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def load_located(path: Path, text: str | None = None) -> LocatedYaml:
    """Parse ``path``; syntax errors and duplicate keys become problems, not exceptions."""
    result = LocatedYaml(path=path, data=None)
    try:
        source = text if text is not None else path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        result.problems.append(Problem.of(Codes.R001, path, detail=f"cannot read file: {exc}"))
        return result
    loader = yaml.SafeLoader(source)
    try:
        node = loader.get_single_node()
        if node is None:
            return result
        result.data = _build(node, (), loader, result)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        msg = f"YAML syntax error: {exc.problem or exc.context}"
        if exc.context_mark is not None and exc.context_mark is not mark:
            ctx = exc.context_mark
            msg += f" ({exc.context} at line {ctx.line + 1}, column {ctx.column + 1})"
        result.problems.append(Problem.of(Codes.R001, path, line, col, detail=msg))
        result.data = None
    except yaml.YAMLError as exc:
        result.problems.append(Problem.of(Codes.R001, path, detail=f"YAML error: {exc}"))
        result.data = None
    finally:
        loader.dispose()
    return result


def _build(node: yaml.Node, at: DataPath, loader: yaml.SafeLoader, out: LocatedYaml) -> Any:
    out.marks[at] = _mark(node)
    if isinstance(node, yaml.MappingNode):
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if key == "<<":
                out.problems.append(
                    Problem(
                        Codes.R002.code,
                        "YAML merge keys are not supported",
                        out.path,
                        *_mark(key_node),
                    )
                )
                continue
            if key in mapping:
                line, col = _mark(key_node)
                first = out.marks.get((*at, key), (None, None))[0]
                out.problems.append(
                    Problem(
                        Codes.R002.code,
                        f"duplicate key {key!r} (first defined on line {first})",
                        out.path,
                        line,
                        col,
                    )
                )
                continue
            mapping[key] = _build(value_node, (*at, key), loader, out)
            # A problem with an entry is reported where its key is written.
            out.marks[(*at, key)] = _mark(key_node)
        return mapping
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*at, i), loader, out) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def schema_problems(doc: LocatedYaml, exc: ValidationError, code: str) -> list[Problem]:
    """A model's validation errors as located problems: ``key.path: message`` at that key."""
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        where = ".".join(str(p) for p in loc)
        msg = str(err["msg"]).removeprefix("Value error, ")
        problems.append(doc.problem(code, f"{where}: {msg}" if where else msg, loc))
    return problems
