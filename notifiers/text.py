"""Plain-text pieces of an alert that several notifiers share."""

from __future__ import annotations

from borderwatch.models import Alert, Facts

PLURAL_AS_IS = frozenset({"people", "police", "security personnel"})
MAX_COUNTRIES = 5


def casualty_summary(facts: Facts) -> str:
    parts = []
    for c in facts.casualties:
        who = (c.who or "people").replace("_", " ")
        if c.count != 1 and who not in PLURAL_AS_IS:
            who = "children" if who == "child" else who + "s"
        parts.append(f"{'at least ' if c.lower_bound else ''}{c.count} {who} {c.outcome}")
    return "; ".join(parts)


def headline(alert: Alert) -> str:
    return f"[{alert.severity.value.upper()}] {alert.category.replace('_', ' ')}"


def where(facts: Facts) -> str:
    """The first-named countries; an article that mentions twelve is about the first few."""
    shown = facts.countries[:MAX_COUNTRIES]
    more = len(facts.countries) - len(shown)
    return (", ".join(shown) + (f" (+{more})" if more > 0 else "")) or "unknown"
