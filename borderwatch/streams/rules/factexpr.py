"""Fact expressions in rules: ``casualties.count >= 10``, ``casualties.who in [soldier]``.

A tiny, closed grammar (``path op value``) rather than Python ``eval``: rule files are data
written by analysts, and every mistake must be a located error at load time, not at match time.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pycountry

from borderwatch.core.models import (
    ACTION_VALUES,
    FOR_VALUES,
    OUTCOME_VALUES,
    SHOOTER_VALUES,
    SHOT_OUTCOMES,
    STATUS_VALUES,
    TARGET_VALUES,
    WEAPON_VALUES,
    WHO_VALUES,
)

NUMBER = "number"
COUNTRY = "country"


@dataclass(frozen=True)
class FieldSpec:
    record: str  # "casualty" or "country"
    kind: str  # NUMBER, COUNTRY, or "enum"
    values: tuple[str, ...] = ()


FIELDS: Mapping[str, FieldSpec] = {
    "casualties.count": FieldSpec("casualty", NUMBER),
    "casualties.who": FieldSpec("casualty", "enum", WHO_VALUES),
    "casualties.outcome": FieldSpec("casualty", "enum", OUTCOME_VALUES),
    "casualties.nationality": FieldSpec("casualty", COUNTRY),
    "casualties.by": FieldSpec("casualty", "enum", WHO_VALUES),
    "casualties.status": FieldSpec("casualty", "enum", STATUS_VALUES),
    "shootings.by": FieldSpec("shooting", "enum", SHOOTER_VALUES),
    "shootings.by_country": FieldSpec("shooting", COUNTRY),
    "shootings.at": FieldSpec("shooting", "enum", TARGET_VALUES),
    "shootings.at_country": FieldSpec("shooting", COUNTRY),
    "shootings.weapon": FieldSpec("shooting", "enum", WEAPON_VALUES),
    "shootings.outcome": FieldSpec("shooting", "enum", SHOT_OUTCOMES),
    "shootings.count": FieldSpec("shooting", NUMBER),
    "shootings.status": FieldSpec("shooting", "enum", STATUS_VALUES),
    "border_actions.actor": FieldSpec("border_action", COUNTRY),
    "border_actions.action": FieldSpec("border_action", "enum", ACTION_VALUES),
    "border_actions.for": FieldSpec("border_action", "enum", FOR_VALUES),
    "border_actions.crossing": FieldSpec("border_action", "id"),
    "border_actions.status": FieldSpec("border_action", "enum", STATUS_VALUES),
    "countries": FieldSpec("country", COUNTRY),
    "crossings": FieldSpec("crossing", "id"),
    "regions": FieldSpec("region", "id"),
}

_COMPARE: Mapping[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "==": operator.eq,
    "!=": operator.ne,
}
_EXPR = re.compile(
    r"^\s*(?P<path>[a-z_.]+)\s*(?P<op>>=|<=|==|!=|>|<|not\s+in\b|in\b)\s*(?P<value>.+?)\s*$"
)
_ISO3 = re.compile(r"^[A-Z]{3}$")


# User-assigned codes in common use (ISO leaves X.. free): Kosovo.
EXTRA_CODES = frozenset({"XKX"})


def is_country_code(value: str) -> bool:
    if value in EXTRA_CODES:
        return True
    return bool(_ISO3.match(value)) and pycountry.countries.get(alpha_3=value) is not None


@dataclass(frozen=True)
class FactTest:
    path: str
    op: str  # one of _COMPARE, "in", "not in"
    value: float | str | tuple[str, ...]

    @property
    def record(self) -> str:
        return FIELDS[self.path].record

    @property
    def field(self) -> str:
        """The record attribute tested ("for" is a Python keyword: ``for_``)."""
        name = self.path.rsplit(".", 1)[-1]
        return "for_" if name == "for" else name

    def holds(self, actual: Any) -> bool:
        if actual is None:
            return self.op in ("!=", "not in")
        if self.op in ("in", "not in"):
            values = self.value if isinstance(self.value, tuple) else (self.value,)
            return (actual in values) is (self.op == "in")
        return _COMPARE[self.op](actual, self.value)

    def with_values(self, values: Sequence[str]) -> FactTest:
        return FactTest(self.path, self.op, tuple(values))

    def __str__(self) -> str:
        shown = f"[{', '.join(self.value)}]" if isinstance(self.value, tuple) else self.value
        return f"{self.path} {self.op} {shown}"


def _items(text: str) -> tuple[str, ...]:
    if text.startswith("[") and text.endswith("]"):
        inner = text[1:-1]
        return tuple(x.strip().strip("'\"") for x in inner.split(",") if x.strip())
    return (text.strip("'\""),)


def parse_fact(expr: str) -> FactTest:
    """Parse and type-check one expression; ``ValueError`` names what is wrong."""
    m = _EXPR.match(expr)
    if not m:
        raise ValueError(f"fact {expr!r} is not 'path op value' (ops: >= <= > < == != in, not in)")
    path, op, raw = m["path"], " ".join(m["op"].split()), m["value"]
    spec = FIELDS.get(path)
    if spec is None:
        raise ValueError(f"fact {expr!r}: unknown fact {path!r}; known: {', '.join(FIELDS)}")
    if spec.kind == NUMBER:
        if op not in _COMPARE:
            raise ValueError(f"fact {expr!r}: {path} is a number; compare it with >= <= > < == !=")
        try:
            number = float(raw)
        except ValueError:
            raise ValueError(f"fact {expr!r}: {raw!r} is not a number") from None
        return FactTest(path, op, number)
    if op in _COMPARE and op not in ("==", "!="):
        raise ValueError(f"fact {expr!r}: {path} is not a number; use in, not in, == or !=")
    values = _items(raw)
    if not values:
        raise ValueError(f"fact {expr!r}: empty value list")
    op = {"==": "in", "!=": "not in"}.get(op, op)
    for value in values:
        if value.startswith("@"):
            continue  # a named list, checked and expanded by the loader
        if spec.kind == "id" and not re.match(r"^[a-z][a-z0-9_]*$", value):
            raise ValueError(f"fact {expr!r}: {value!r} is not a gazetteer id (lower_snake_case)")
        if spec.kind == COUNTRY and not is_country_code(value):
            raise ValueError(f"fact {expr!r}: {value!r} is not an ISO 3166 alpha-3 code")
        if spec.values and value not in spec.values:
            raise ValueError(
                f"fact {expr!r}: {value!r} is not a known value of {path}; "
                f"known: {', '.join(spec.values)}"
            )
    return FactTest(path, op, values)
