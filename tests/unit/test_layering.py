"""The house has floors: ``core`` is the ground, the stages stand on it side by side, ``runtime``
wires the stages and ``cli`` sits on top. An import that runs back up, or across between
stages, is what turns a layered package into a ball of mud, so this test walks every module's
imports (including the ones inside functions) and fails on the first one that breaks the plan.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "borderwatch"
STAGES = {"connectors", "streams", "notifiers"}
# What each floor may import from the house, besides itself.
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "connectors": {"core"},
    "streams": {"core"},
    "notifiers": {"core"},
    "runtime": {"core", *STAGES},
    "cli": {"core", *STAGES, "runtime"},
    "__main__": {"cli"},
    "__init__": set(),
}


def _floor(module: str) -> str | None:
    """``borderwatch.streams.match`` -> ``streams``; None for modules outside the package."""
    parts = module.split(".")
    if parts[0] != "borderwatch":
        return None
    return parts[1] if len(parts) > 1 else "__init__"


def _module_of(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every absolute ``borderwatch`` module this file imports, with the line it is on."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative imports stay inside their own folder by construction
                continue
            base = node.module or ""
            if base == "borderwatch":
                # ``from borderwatch import core`` names a floor through the package itself
                found += [(node.lineno, f"borderwatch.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, base))
    return [(line, name) for line, name in found if name.split(".")[0] == "borderwatch"]


def _violations() -> list[str]:
    bad: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_of(path)
        floor = "__main__" if module == "borderwatch.__main__" else _floor(module)
        assert floor is not None
        allowed = ALLOWED.get(floor)
        if allowed is None:
            bad.append(f"{path}: module on no known floor ({floor})")
            continue
        for line, target in _imports(path):
            to = _floor(target)
            if to is None or to == floor:
                continue
            if to not in allowed:
                bad.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {floor} imports {target}")
    return bad


def test_no_import_runs_up_or_across() -> None:
    assert _violations() == []


@pytest.mark.parametrize(
    ("floor", "source", "ok"),
    [
        ("core", "from borderwatch.streams.match import x\n", False),
        ("streams", "from borderwatch.notifiers.base import Notifier\n", False),
        ("streams", "def f():\n    from borderwatch.runtime import procs\n", False),
        ("notifiers", "import borderwatch.cli\n", False),
        ("runtime", "from borderwatch import cli\n", False),
        ("connectors", "from borderwatch.core.models import Article\n", True),
        ("cli", "from borderwatch.runtime.broker import EmbeddedBroker\n", True),
    ],
)
def test_the_walk_sees_violations(tmp_path: Path, floor: str, source: str, ok: bool) -> None:
    """The checker itself can fail: a planted upward or sideways import is reported."""
    path = tmp_path / "borderwatch" / floor / "planted.py"
    path.parent.mkdir(parents=True)
    path.write_text(source, encoding="utf-8")
    imports = _imports(path)
    targets = {_floor(name) for _, name in imports} - {floor, None}
    assert (targets <= ALLOWED[floor]) is ok
