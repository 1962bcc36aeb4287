"""Silences: ops mute a known, ongoing story for a while without losing its alerts.

``borderwatch silence add --match category=border_shooting,country=TUR --for 6h --reason ...``
A silenced alert is still recorded (ledger status ``silenced``, the console and JSONL sinks
still get it); only the paging sinks (Slack, webhook) stay quiet. Stored in SQLite in the
state directory, so silences survive restarts.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from borderwatch.core.errors import BorderwatchError, Codes, Problem
from borderwatch.core.models import Alert, Severity
from borderwatch.core.sqlite import Store

KEYS = ("category", "country", "crossing", "rule", "severity", "source")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> float:
    m = _DURATION.match(text)
    if not m:
        raise BorderwatchError(Problem.of(Codes.S001, text=text))
    return float(m.group(1)) * _UNITS[m.group(2)]


def parse_matchers(text: str) -> dict[str, str]:
    """``key=value,key=value``; keys from KEYS, each at most once."""
    out: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not value:
            raise BorderwatchError(
                Problem.of(Codes.S002, detail=f"matcher {part!r} is not key=value")
            )
        if key not in KEYS:
            raise BorderwatchError(Problem.of(Codes.S003, key=key, known=", ".join(KEYS)))
        if key in out:
            raise BorderwatchError(Problem.of(Codes.S004, key=key))
        if key == "severity" and value not in Severity.__members__:
            raise BorderwatchError(Problem.of(Codes.S005, value=value))
        out[key] = value
    if not out:
        detail = "a silence needs at least one key=value matcher"
        raise BorderwatchError(Problem.of(Codes.S002, detail=detail))
    return out


def matches(matchers: dict[str, str], alert: Alert) -> bool:
    facts = alert.facts
    crossings = set(facts.crossings) | ({facts.border.crossing} if facts.border else set())
    checks: dict[str, Callable[[str], bool]] = {
        "category": lambda v: alert.category == v,
        "country": lambda v: v.upper() in facts.countries,
        "crossing": lambda v: v in crossings,
        "rule": lambda v: alert.rule_id == v,
        "severity": lambda v: alert.severity.value == v,
        "source": lambda v: (alert.article.source or "") == v,
    }
    return all(checks[k](v) for k, v in matchers.items())


@dataclass(frozen=True)
class Silence:
    silence_id: str
    matchers: dict[str, str]
    reason: str
    created_at: float
    ends_at: float

    def active(self, now: float) -> bool:
        return self.created_at <= now < self.ends_at


class SilenceStore(Store):
    schema = """
CREATE TABLE IF NOT EXISTS silences (
    silence_id TEXT PRIMARY KEY,
    matchers TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at REAL NOT NULL,
    ends_at REAL NOT NULL
)
"""

    def add(self, matchers: dict[str, str], duration_s: float, reason: str,
            now: float | None = None) -> Silence:  # fmt: skip
        if not reason.strip():
            raise BorderwatchError(Problem.of(Codes.S006))
        now = time.time() if now is None else now
        silence = Silence(uuid.uuid4().hex[:8], matchers, reason.strip(), now, now + duration_s)
        self.execute(
            "INSERT INTO silences VALUES (?, ?, ?, ?, ?)",
            (silence.silence_id, json.dumps(matchers, sort_keys=True), silence.reason,
             silence.created_at, silence.ends_at),
        )  # fmt: skip
        return silence

    def all(self) -> list[Silence]:
        rows = self.rows(
            "SELECT silence_id, matchers, reason, created_at, ends_at FROM silences "
            "ORDER BY created_at"
        )
        return [Silence(r[0], json.loads(r[1]), r[2], r[3], r[4]) for r in rows]

    def active(self, now: float | None = None) -> list[Silence]:
        now = time.time() if now is None else now
        return [s for s in self.all() if s.active(now)]

    def expire(self, silence_id: str, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        cur = self.execute(
            "UPDATE silences SET ends_at = ? WHERE silence_id = ? AND ends_at > ?",
            (now, silence_id, now),
        )
        return cur.rowcount > 0

    def silencing(self, alert: Alert, now: float | None = None) -> Silence | None:
        return next((s for s in self.active(now) if matches(s.matchers, alert)), None)
