"""One self-contained HTML page for a replay or an eval: timeline, counts, alerts.

Analysts open it from disk, often offline: no script, no font or stylesheet from the network,
the chart is inline SVG. The page is a jinja2 template with autoescape on, so article text,
titles and rule ids are escaped by the template engine rather than by hand at each use.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined

from borderwatch.core.models import CATEGORIES, Alert
from borderwatch.notifiers.sinks.maps import Place, map_url, place_of

COLOURS = dict(
    zip(CATEGORIES, ("#2a9d8f", "#e9c46a", "#6c5ce7", "#e63946", "#f4a261"), strict=True)
)
OTHER = "#888888"
BAR_W, CHART_H, PAD = 14, 160, 40


@cache
def _templates() -> Environment:
    return Environment(
        loader=PackageLoader("borderwatch.cli", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _day(alert: Alert) -> str:
    """The day of the report itself (published, else fetched), not of the run that found it."""
    return alert.reported_at.astimezone(UTC).strftime("%Y-%m-%d")


@dataclass
class _Bar:
    category: str
    n: int
    y: int
    h: int
    colour: str


@dataclass
class _Day:
    day: str
    x: int
    label_x: float
    label_y: int
    bars: list[_Bar] = field(default_factory=list)


@dataclass
class Chart:
    """Stacked bars: alerts per day and category (days without alerts are left out)."""

    days: list[_Day]
    top: int
    width: int
    height: int = CHART_H + 90
    bar_w: int = BAR_W


def timeline(alerts: list[Alert]) -> Chart:
    per_day: dict[str, Counter[str]] = {}
    for alert in alerts:
        per_day.setdefault(_day(alert), Counter())[alert.category] += 1
    top = max((sum(c.values()) for c in per_day.values()), default=0)
    days = []
    for i, day in enumerate(sorted(per_day)):
        x, y = PAD + i * (BAR_W + 6), CHART_H
        column = _Day(day, x, x + BAR_W / 2, CHART_H + 8)
        for category, n in sorted(per_day[day].items()):
            h = max(2, round(n / top * (CHART_H - 10)))
            y -= h
            column.bars.append(_Bar(category, n, y, h, COLOURS.get(category, OTHER)))
        days.append(column)
    return Chart(days, top, PAD + len(days) * (BAR_W + 6) + PAD)


def _row(alert: Alert) -> dict[str, object]:
    url = alert.article.url or ""
    return {
        "day": _day(alert),
        "category": alert.category,
        "rule_id": alert.rule_id,
        "severity": alert.severity.value,
        "title": alert.article.title or alert.article.id,
        # only a web link; a javascript: or file: URL in an article stays text
        "url": url if url.startswith(("http://", "https://")) else None,
        "source": alert.article.source or "",
        "segments": list(alert.evidence.segments()),
        "map": map_url(alert.facts),
    }


def places(alerts: list[Alert]) -> list[dict[str, object]]:
    """Every located place the alerts name (a crossing with coordinates), with how many
    alerts are there and its OpenStreetMap link; most alerts first."""
    found: dict[str, Place] = {}
    counts: Counter[str] = Counter()
    for alert in alerts:
        place = place_of(alert.facts.border)
        if place is not None:
            found.setdefault(place.key, place)
            counts[place.key] += 1
    return [
        {"name": found[key].name, "key": key, "countries": "–".join(found[key].countries),
         "lat": f"{found[key].lat:.4f}", "lon": f"{found[key].lon:.4f}",
         "url": found[key].url, "alerts": n}
        for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]  # fmt: skip


def html_report(
    title: str,
    alerts: list[Alert],
    scores: Mapping[str, Mapping[str, float | int]] | None = None,
    notes: Mapping[str, object] | None = None,
) -> str:
    counts = Counter(a.category for a in alerts)
    categories = [
        {"category": c, "colour": COLOURS.get(c, OTHER), "alerts": counts.get(c, 0),
         "score": (scores or {}).get(c, {})}
        for c in sorted(set(counts) | set(scores or {}))
    ]  # fmt: skip
    ordered = sorted(alerts, key=lambda a: (_day(a), a.category, a.article.id))
    return (
        _templates()
        .get_template("report.html.j2")
        .render(
            title=title,
            generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            notes=list((notes or {}).items()),
            chart=timeline(alerts),
            scored=scores is not None,
            categories=categories,
            alerts=[_row(a) for a in ordered],
            places=places(alerts),
        )
    )
