"""The problem-code catalogue: each code defined once with one meaning, never spelled as a
literal anywhere else in the package, every call site filling exactly its template, and the
README's table equal to the catalogue (so a reader can look up any code a run prints)."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import TypeGuard

import pytest

from borderwatch.core.errors import (
    AREAS,
    CATALOGUE,
    RETIRED,
    Code,
    Codes,
    Problem,
    codes_table_markdown,
)

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "borderwatch"
ERRORS = PACKAGE / "core" / "errors.py"
README = ROOT / "README.md"
CODE = re.compile(r"[A-Z]\d{3}")

# Folders that may still spell codes as string literals: none, every call site says ``Codes.X``.
LITERAL_CODES_ALLOWED: frozenset[str] = frozenset()

# Catalogue codes whose call site is in a folder above and still prints an older literal.
AWAITING_CALL_SITE: frozenset[str] = frozenset()

# ``Problem.of`` takes these itself, so a template may not name them.
RESERVED_FIELDS = frozenset({"code", "path", "line", "col"})


def _modules() -> list[tuple[str, ast.Module]]:
    return [
        (path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(encoding="utf-8")))
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != ERRORS
    ]


def _allowed(rel: str) -> bool:
    return any(rel.startswith(prefix) for prefix in LITERAL_CODES_ALLOWED)


def _is_code_literal(node: ast.AST) -> TypeGuard[ast.Constant]:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and CODE.fullmatch(node.value) is not None
    )


def _codes_attr(node: ast.AST) -> str | None:
    """``X`` for the expression ``Codes.X``."""
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "Codes"
    ):
        return node.attr
    return None


def _readme_section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("\n## Problem codes\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def test_every_code_is_defined_once_under_its_own_name() -> None:
    tree = ast.parse(ERRORS.read_text(encoding="utf-8"))
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Codes")
    names: list[str] = []
    literals: list[str] = []
    for stmt in cls.body:
        if isinstance(stmt, ast.Assign):
            assert len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
            names.append(stmt.targets[0].id)
            call = stmt.value
            assert isinstance(call, ast.Call) and isinstance(call.args[0], ast.Constant)
            literals.append(call.args[0].value)
    # A repeated name in a class body silently keeps the last one: catch it in the source.
    assert sorted(n for n in set(names) if names.count(n) > 1) == []
    assert [n for n, lit in zip(names, literals, strict=True) if n != lit] == []
    assert len(CATALOGUE) == len(names)
    assert all(getattr(Codes, code) is entry for code, entry in CATALOGUE.items())


@pytest.mark.parametrize("entry", [CATALOGUE[c] for c in sorted(CATALOGUE)], ids=sorted(CATALOGUE))
def test_each_code_is_well_formed(entry: Code) -> None:
    assert CODE.fullmatch(entry.code)
    assert entry.code[0] in AREAS
    assert entry.code not in RETIRED  # a retired code is never given a new meaning
    assert entry.summary and "|" not in entry.summary and "\n" not in entry.summary
    assert not entry.fields & RESERVED_FIELDS


def test_no_code_is_spelled_as_a_literal_outside_the_catalogue() -> None:
    found = []
    for rel, tree in _modules():
        if _allowed(rel):
            continue
        for node in ast.walk(tree):
            if _is_code_literal(node):
                found.append(f"{rel}:{node.lineno}: {node.value!r}")
    assert found == [], "say Codes.X (borderwatch.core.errors), not the code itself"


def test_no_problem_is_built_from_a_bare_code_literal() -> None:
    """The check the CLI must pass once its allowance is gone: no ``Problem("X001", ...)``."""
    found = []
    for rel, tree in _modules():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if name.endswith(("Problem", "Error", "problem")) and _is_code_literal(first):
                found.append(f"{rel}:{node.lineno}: {first.value}")
    assert [f for f in found if not _allowed(f)] == []


def test_call_sites_fill_exactly_the_template_fields() -> None:
    """``Problem.of(Codes.X, ..., **fields)`` and ``Codes.X.format(**fields)`` name exactly the
    template's fields (a missing one would raise while reporting a problem), and a call that
    passes ``Codes.X.code`` with a message formats that same code's template."""
    wrong = []
    for rel, tree in _modules():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or any(k.arg is None for k in node.keywords):
                continue
            func = node.func
            code = None
            if isinstance(func, ast.Attribute) and func.attr == "format":
                code = _codes_attr(func.value)
            elif isinstance(func, ast.Attribute) and func.attr == "of" and node.args:
                code = _codes_attr(node.args[0])
            if code is not None:
                given = {k.arg for k in node.keywords} - RESERVED_FIELDS
                if code not in CATALOGUE or given != CATALOGUE[code].fields:
                    wrong.append(f"{rel}:{node.lineno}: {code} given {sorted(given)}")
            as_code = {_codes_attr(a.value) for a in node.args if isinstance(a, ast.Attribute)}
            formats = {
                _codes_attr(a.func.value)
                for a in node.args
                if isinstance(a, ast.Call) and isinstance(a.func, ast.Attribute)
            }
            as_code.discard(None)
            formats.discard(None)
            if as_code and formats and as_code != formats:
                wrong.append(f"{rel}:{node.lineno}: code {as_code} with message of {formats}")
    assert wrong == []


def test_every_code_is_reported_somewhere() -> None:
    used = set(AWAITING_CALL_SITE)
    for rel, tree in _modules():
        for node in ast.walk(tree):
            attr = _codes_attr(node)
            if attr is not None:
                used.add(attr)
            elif _allowed(rel) and _is_code_literal(node):
                used.add(node.value)
    assert sorted(set(CATALOGUE) - used) == [], "a code no module reports: retire it"
    assert sorted(used - set(CATALOGUE)) == [], "a code the catalogue does not define"


def test_readme_table_is_the_catalogue() -> None:
    table = "".join(line + "\n" for line in _readme_section().splitlines() if line.startswith("|"))
    listed = re.findall(r"^\| ([A-Z]\d{3}) \|", table, re.MULTILINE)
    assert sorted(set(CATALOGUE) - set(listed)) == [], "codes missing from the README table"
    assert sorted(set(listed) - set(CATALOGUE)) == [], "README lists codes nobody defines"
    assert table == codes_table_markdown(), "regenerate with codes_table_markdown()"


def test_readme_mentions_only_catalogue_codes() -> None:
    text = README.read_text(encoding="utf-8")
    named = set(re.findall(r"(?<![\w-])([A-Z]\d{3})(?![\w-])", text))
    assert sorted(named - set(CATALOGUE)) == []


def test_a_problem_prints_its_code_and_filled_template() -> None:
    problem = Problem.of(Codes.A003, "day.jsonl", 3, 7, error="Expecting value")
    assert problem.code == "A003"
    assert str(problem) == "day.jsonl:3:7: [A003] invalid JSON: Expecting value"
    assert str(Problem.of(Codes.S006)) == "[S006] a silence needs a reason"
