"""How sure an alert is, from its evidence: a 0-1 confidence and a band ops can route on.

The evidence that a report is real news and not a passing mention is the same whatever the
category: a complete frame (who did what to whom, where), told in the headline or the lead,
told more than once or by more than one rule, with nothing hedging it ("reportedly", "could",
a denial of the same event). A phrase window alone, late in the text, told once, is weak.
``eval`` prints precision per band so the bands can be checked against labelled data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from borderwatch.core.models import Article, Band, BorderAction, Facts, Shooting

SECURITY = frozenset({"border_guard", "soldier", "police", "security_personnel"})
CIVILIANS = frozenset({"migrant", "refugee", "asylum_seeker", "civilian", "child", "people",
                       "smuggler"})  # fmt: skip
OPENING = frozenset({"open", "reopen", "let_through", "stop_guarding"})
CLOSING = frozenset({"close", "seal", "push_back"})
REPORTED = frozenset({"done", "planned"})
CONTESTED = frozenset({"denied", "threatened", "demanded"})
HEDGES = re.compile(
    r"\b(reportedly|allegedly|unconfirmed|claimed|purportedly|rumou?rs?|could not be "
    r"(verified|confirmed)|unable to verify)\b",
    re.IGNORECASE,
)
LEAD_CHARS = 600  # the headline and the first sentence or two
CONFIRMED = 0.75
LIKELY = 0.5


@dataclass(frozen=True)
class Confidence:
    value: float
    band: Band
    reasons: tuple[str, ...]


def band_of(value: float) -> Band:
    if value >= CONFIRMED:
        return "confirmed"
    return "likely" if value >= LIKELY else "unconfirmed"


def _shootings(facts: Facts) -> list[Shooting]:
    return [s for s in facts.shootings if s.by in SECURITY and s.at in CIVILIANS]


def _actions(facts: Facts, kinds: frozenset[str]) -> list[BorderAction]:
    return [a for a in facts.border_actions if a.action in kinds]


def _frames(category: str, facts: Facts) -> tuple[int, int, bool, bool]:
    """(frames that report the event, contested ones, any complete, any in the lead)."""
    if category == "border_shooting":
        shots = _shootings(facts)
        done = [s for s in shots if s.status == "done"]
        complete = any(s.where and s.outcome != "shot_at" for s in done)
        return len(done), len(shots) - len(done), complete, any(s.headline for s in done)
    if category == "troop_casualties":
        victims = [c for c in facts.casualties if c.who in SECURITY]
        hits = [s for s in facts.shootings if s.at in SECURITY and s.outcome != "shot_at"]
        complete = any(c.count is not None for c in victims)
        lead = any(s.headline for s in hits)
        return len(victims) + len(hits), 0, complete, lead
    kinds = OPENING if category == "border_opening" else CLOSING
    actions = _actions(facts, kinds)
    reported = [a for a in actions if a.status in REPORTED]
    contested = [a for a in actions if a.status in CONTESTED]
    full = any(a.actor and (a.crossing or a.border) for a in reported)
    return len(reported), len(contested), full, any(a.headline for a in reported)


def confidence(
    category: str, article: Article, facts: Facts, evidence: str, rule_tags: Sequence[str],
    rules_agreeing: int,
) -> Confidence:  # fmt: skip
    """Additive evidence, capped to 0-1; the reasons say what moved it (for explain/Slack)."""
    value = 0.2
    reasons: list[str] = []
    frames, contested, complete, in_lead = _frames(category, facts)
    if "frame" in rule_tags:
        value += 0.25
        reasons.append("frame rule")
    if complete:
        value += 0.15
        reasons.append("complete frame")
    first = evidence.split(" … ")[0][:80]
    if in_lead or (first and 0 <= article.body.find(first) < LEAD_CHARS):
        value += 0.2
        reasons.append("in the headline or lead")
    if frames >= 2 or rules_agreeing >= 2:
        value += 0.15
        reasons.append("told more than once")
    if contested:
        value -= 0.1
        reasons.append("also denied, demanded or threatened")
    if HEDGES.search(evidence):
        value -= 0.15
        reasons.append("hedged wording")
    value = round(min(1.0, max(0.0, value)), 2)
    return Confidence(value, band_of(value), tuple(reasons))
