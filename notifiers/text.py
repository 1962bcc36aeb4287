"""Plain-text pieces of an alert that several notifiers share."""

from __future__ import annotations

from borderwatch.models import Alert, Facts


def casualty_summary(facts: Facts) -> str:
    parts = []
    for c in facts.casualties:
        who = (c.who or "people").replace("_", " ")
        parts.append(f"{'at least ' if c.lower_bound else ''}{c.count} {who} {c.outcome}")
    return "; ".join(parts)


def headline(alert: Alert) -> str:
    return f"[{alert.severity.value.upper()}] {alert.category.replace('_', ' ')}"


def where(facts: Facts) -> str:
    return ", ".join(facts.countries) or "unknown"
