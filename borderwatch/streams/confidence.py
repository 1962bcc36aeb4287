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


@dataclass(frozen=True)
class Tellings:
    """How the article tells events of one category."""

    reported: int  # frames that report it (done or announced)
    contested: int  # denied, demanded or threatened tellings
    background: int  # told as history
    complete: bool  # a reported frame with its roles and place
    in_lead: bool  # a reported frame in the headline or lead
    only_planned: bool  # every reported frame is an announcement, none done
    roles_unknown: bool  # no reported frame says who did it, or for whom


def _tellings(category: str, facts: Facts) -> Tellings:
    if category == "border_shooting":
        shots = [s for s in facts.shootings if s.at in CIVILIANS]
        done = [s for s in shots if s.by in SECURITY and s.status == "done"]
        unnamed = [s for s in shots if s.by == "unknown" and s.status == "done"]
        told = done or unnamed
        return Tellings(
            reported=len(told),
            contested=sum(1 for s in shots if s.status in CONTESTED),
            background=sum(1 for s in shots if s.status == "historical"),
            complete=any(s.where and s.outcome != "shot_at" for s in done),
            in_lead=any(s.headline for s in told),
            only_planned=False,
            roles_unknown=not done,
        )
    if category == "troop_casualties":
        victims = [c for c in facts.casualties if c.who in SECURITY]
        told_done = [c for c in victims if c.status == "done"]
        hits = [s for s in facts.shootings if s.at in SECURITY and s.outcome != "shot_at"
                and s.status == "done"]  # fmt: skip
        return Tellings(
            reported=len(told_done) + len(hits),
            contested=sum(1 for s in facts.shootings if s.at in SECURITY and s.status in CONTESTED),
            background=len(victims) - len(told_done),
            complete=any(c.count is not None for c in told_done),
            in_lead=any(s.headline for s in hits),
            only_planned=False,
            roles_unknown=False,
        )
    kinds = OPENING if category == "border_opening" else CLOSING
    actions = _actions(facts, kinds)
    reported = [a for a in actions if a.status in REPORTED]
    return Tellings(
        reported=len(reported),
        contested=sum(1 for a in actions if a.status in CONTESTED),
        background=sum(1 for a in actions if a.status == "historical"),
        complete=any(a.actor and (a.crossing or a.border) for a in reported),
        in_lead=any(a.headline for a in reported),
        only_planned=bool(reported) and all(a.status == "planned" for a in reported),
        roles_unknown=category == "border_opening"
        and not any(a.for_ in ("refugees", "migrants") for a in reported),
    )


def confidence(
    category: str, article: Article, facts: Facts, evidence: str, rule_tags: Sequence[str],
    rules_agreeing: int,
) -> Confidence:  # fmt: skip
    """Additive evidence, capped to 0-1; the reasons say what moved it (for explain/Slack)."""
    value = 0.2
    reasons: list[str] = []
    told = _tellings(category, facts)
    framed = "frame" in rule_tags
    if framed:
        value += 0.25
        reasons.append("frame rule")
    if complete := told.complete:
        value += 0.15
        reasons.append("complete frame")
    first = evidence.split(" … ")[0][:80]
    if told.in_lead or (first and 0 <= article.body.find(first) < LEAD_CHARS):
        value += 0.2
        reasons.append("in the headline or lead")
    if told.reported >= 2 or rules_agreeing >= 2:
        value += 0.15
        reasons.append("told more than once")
    if framed and not told.reported:
        value -= 0.25
        reasons.append("no frame tells it as news")
    if told.only_planned:
        value -= 0.1
        reasons.append("announced, not yet done")
    if told.background and told.background >= told.reported and not complete:
        value -= 0.1
        reasons.append("told as background as often as news")
    if told.roles_unknown and told.reported:
        value -= 0.05
        reasons.append("who did it, or for whom, not said")
    if told.contested:
        value -= 0.1
        reasons.append("also denied, demanded or threatened")
    if HEDGES.search(evidence):
        value -= 0.15
        reasons.append("hedged wording")
    value = round(min(1.0, max(0.0, value)), 2)
    return Confidence(value, band_of(value), tuple(reasons))
