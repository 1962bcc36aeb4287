"""Silences: ops mute a known, ongoing story for a while without losing its alerts.

``borderwatch silence add --match category=border_shooting,country=TUR --for 6h --reason ...``
Matchers also say how sure an alert is: ``band=unconfirmed``, ``confidence<0.5`` (also <=, >,
>=), or ``min_confidence=0.5``, which reads as "page only alerts at least this sure" and so
mutes those below it (stored as ``confidence<0.5``). An alert without a confidence (from
before scoring) matches no band or confidence matcher: an unknown is not a low.
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
from borderwatch.core.models import BANDS, Alert, Severity
from borderwatch.core.sqlite import Store

KEYS = ("category", "country", "crossing", "rule", "severity", "source", "story", "band",
        "confidence", "min_confidence")  # fmt: skip
_MATCHER = re.compile(r"^\s*([^<>=]*?)\s*(<=|>=|<|>|=)\s*(.*?)\s*$")
_COMPARISON = re.compile(r"^(<=|>=|<|>)(\d+(?:\.\d+)?|\.\d+)$")
_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}  # fmt: skip
# A story silence set from Slack ("until it goes quiet") lasts at most this long; it ends
# sooner when the story closes (no report within the story window), as the matcher fails.
UNTIL_QUIET_S = 30 * 86400.0
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> float:
    m = _DURATION.match(text)
    if not m:
        raise BorderwatchError(Problem.of(Codes.S001, text=text))
    return float(m.group(1)) * _UNITS[m.group(2)]


def _confidence(op: str, value: str) -> str:
    """A confidence test as stored: the operator and a number from 0 to 1 ("<0.5")."""
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 <= number <= 1:
        detail = f"confidence {value!r} is not a number from 0 to 1"
        raise BorderwatchError(Problem.of(Codes.S008, detail=detail))
    return f"{op}{number:g}"


def parse_matchers(text: str) -> dict[str, str]:
    """``key=value,key=value``; keys from KEYS, each at most once; ``confidence`` compares."""
    out: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        m = _MATCHER.match(part)
        key, op, value = m.groups() if m else (part, "", "")
        if not op or not key or not value:
            raise BorderwatchError(
                Problem.of(Codes.S002, detail=f"matcher {part!r} is not key=value")
            )
        if key not in KEYS:
            raise BorderwatchError(Problem.of(Codes.S003, key=key, known=", ".join(KEYS)))
        if (op == "=") == (key == "confidence"):
            sure = key in ("confidence", "min_confidence")
            want = "confidence<0.5 or min_confidence=0.5" if sure else f"{key}={value}"
            detail = f"matcher {part!r}: only confidence compares (write {want})"
            raise BorderwatchError(Problem.of(Codes.S002, detail=detail))
        if key == "min_confidence":  # "page only alerts this sure": mute the ones below
            key, op = "confidence", "<"
        if key in out:
            raise BorderwatchError(Problem.of(Codes.S004, key=key))
        if key == "severity" and value not in Severity.__members__:
            raise BorderwatchError(Problem.of(Codes.S005, value=value))
        if key == "band" and value not in BANDS:
            detail = f"unknown band {value!r}; known: {', '.join(BANDS)}"
            raise BorderwatchError(Problem.of(Codes.S008, detail=detail))
        out[key] = _confidence(op, value) if key == "confidence" else value
    if not out:
        detail = "a silence needs at least one key=value matcher"
        raise BorderwatchError(Problem.of(Codes.S002, detail=detail))
    return out


def describe(matchers: dict[str, str]) -> str:
    """As a person would type them: ``band=unconfirmed,confidence<0.5``."""
    return ",".join(
        f"{k}{v}" if k == "confidence" else f"{k}={v}" for k, v in sorted(matchers.items())
    )


def confidence_holds(test: str, confidence: float | None) -> bool:
    """``<0.5`` against an alert's confidence. An unscored alert, or a test no parser wrote
    (a hand-edited store), holds nothing: a silence never mutes what it cannot judge."""
    m = _COMPARISON.match(test)
    if confidence is None or m is None:
        return False
    return _COMPARE[m.group(1)](confidence, float(m.group(2)))


StoryOf = Callable[[Alert], str | None]


def _no_story(alert: Alert) -> str | None:
    return None


def matches(matchers: dict[str, str], alert: Alert, story_of: StoryOf = _no_story) -> bool:
    """``story`` asks ``story_of`` (the open story the alert would join, from the Slack
    notifier's story book), and only when a silence names one."""
    facts = alert.facts
    crossings = set(facts.crossings) | ({facts.border.crossing} if facts.border else set())
    checks: dict[str, Callable[[str], bool]] = {
        "category": lambda v: alert.category == v,
        "country": lambda v: v.upper() in facts.countries,
        "crossing": lambda v: v in crossings,
        "rule": lambda v: alert.rule_id == v,
        "severity": lambda v: alert.severity.value == v,
        "source": lambda v: (alert.article.source or "") == v,
        "story": lambda v: story_of(alert) == v,
        "band": lambda v: alert.band == v,
        "confidence": lambda v: confidence_holds(v, alert.confidence),
        "min_confidence": lambda v: confidence_holds(f"<{v}", alert.confidence),  # unparsed
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

    def silencing(self, alert: Alert, now: float | None = None,
                  story_of: StoryOf = _no_story) -> Silence | None:  # fmt: skip
        return next((s for s in self.active(now) if matches(s.matchers, alert, story_of)), None)
