"""Plain-text pieces of an alert that several notifiers share."""

from __future__ import annotations

from borderwatch.core.models import Alert, Border, Casualty, Facts

PLURAL_AS_IS = frozenset({"people", "police", "security personnel"})
MAX_COUNTRIES = 5
MAX_CASUALTIES = 4


def _who(c: Casualty) -> str:
    who = (c.who or "people").replace("_", " ")
    if c.count != 1 and who not in PLURAL_AS_IS:
        who = "children" if who == "child" else who + "s"
    return f"{who} ({c.nationality})" if c.nationality else who


def casualty_line(c: Casualty) -> str:
    """ "at least 33 soldiers (TUR) killed, by Syrian forces"."""
    if c.count is None:
        amount = "an unknown number of"
    else:
        amount = f"{'at least ' if c.lower_bound else ''}{c.count}"
    by = f", by {c.by_text}" if c.by_text else ""
    return f"{amount} {_who(c)} {c.outcome}{by}"


def casualty_summary(facts: Facts) -> str:
    """Counted records first, each in the order the article gives them (the headline's toll
    before a background figure); more than a few go to "+N more"."""
    ranked = sorted(facts.casualties, key=lambda c: c.count is None)
    shown = [casualty_line(c) for c in ranked[:MAX_CASUALTIES]]
    more = len(ranked) - len(shown)
    return "; ".join(shown) + (f" (+{more} more)" if more > 0 else "")


def border_line(border: Border) -> str:
    pair = "–".join(border.countries)
    if border.name:
        text = f"{border.name} crossing ({pair})"
    else:
        text = f"{pair} border" if len(border.countries) > 1 else f"{pair} border area"
    if border.region:
        text += f", {border.region.replace('_', ' ').title()}"
    if border.lat is not None and border.lon is not None:
        text += f" [{border.lat:.2f}, {border.lon:.2f}]"
    return text


def headline(alert: Alert) -> str:
    return f"[{alert.severity.value.upper()}] {alert.category.replace('_', ' ')}"


def where(facts: Facts) -> str:
    """The border (crossing or country pair), then the first-named countries."""
    shown = facts.countries[:MAX_COUNTRIES]
    more = len(facts.countries) - len(shown)
    countries = ", ".join(shown) + (f" (+{more})" if more > 0 else "")
    if facts.border is not None:
        return (
            f"{border_line(facts.border)} · {countries}" if countries else border_line(facts.border)
        )
    return countries or "unknown"
