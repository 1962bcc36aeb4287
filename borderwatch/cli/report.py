"""One self-contained HTML page for a replay or an eval: timeline, counts, alerts.

Analysts open it from disk, often offline: no script, no font or stylesheet from the network,
the chart is inline SVG. Every piece of article text is HTML-escaped.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime

from borderwatch.core.models import CATEGORIES, Alert

COLOURS = dict(zip(CATEGORIES, ("#2a9d8f", "#e9c46a", "#6c5ce7", "#e63946"), strict=True))
OTHER = "#888888"
BAR_W, CHART_H, PAD = 14, 160, 40

CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#222;max-width:1100px}
h1{font-size:1.4rem} table{border-collapse:collapse;margin:1rem 0}
td,th{border:1px solid #ddd;padding:.3rem .6rem;text-align:left;vertical-align:top}
th{background:#f4f4f4} .n{text-align:right} .ev b{background:#fff3b0}
.sw{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:middle}
.muted{color:#777}
"""


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _day(alert: Alert) -> str:
    when = alert.article.published or alert.created
    return when.astimezone(UTC).strftime("%Y-%m-%d")


def _evidence(alert: Alert) -> str:
    return "".join(
        f"<b>{_esc(text)}</b>" if matched else _esc(text)
        for text, matched in alert.evidence.segments()
    )


def timeline_svg(alerts: list[Alert]) -> str:
    """Stacked bars: alerts per day and category (days without alerts are left out)."""
    per_day: dict[str, Counter[str]] = {}
    for alert in alerts:
        per_day.setdefault(_day(alert), Counter())[alert.category] += 1
    days = sorted(per_day)
    if not days:
        return "<p class='muted'>No alerts.</p>"
    top = max(sum(c.values()) for c in per_day.values())
    width = PAD + len(days) * (BAR_W + 6) + PAD
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{CHART_H + 90}' "
             "role='img' aria-label='alerts per day and category'>"]  # fmt: skip
    for i, day in enumerate(days):
        x, y = PAD + i * (BAR_W + 6), CHART_H
        for category, n in sorted(per_day[day].items()):
            h = max(2, round(n / top * (CHART_H - 10)))
            y -= h
            colour = COLOURS.get(category, OTHER)
            parts.append(f"<rect x='{x}' y='{y}' width='{BAR_W}' height='{h}' fill='{colour}'>"
                         f"<title>{_esc(day)} {_esc(category)}: {n}</title></rect>")  # fmt: skip
        cx, cy = x + BAR_W / 2, CHART_H + 8
        parts.append(f"<text x='{cx}' y='{cy}' font-size='10' "
                     f"transform='rotate(60 {cx} {cy})'>{_esc(day)}</text>")  # fmt: skip
    parts.append(f"<text x='4' y='12' font-size='10'>{top}</text></svg>")
    return "".join(parts)


def html_report(
    title: str,
    alerts: list[Alert],
    scores: Mapping[str, Mapping[str, float | int]] | None = None,
    notes: Mapping[str, object] | None = None,
) -> str:
    counts = Counter(a.category for a in alerts)
    categories = sorted(set(counts) | set(scores or {}))
    rows = []
    for c in categories:
        swatch = f"<span class='sw' style='background:{COLOURS.get(c, OTHER)}'></span>"
        cells = [f"<td>{swatch}{_esc(c)}</td>", f"<td class='n'>{counts.get(c, 0)}</td>"]
        if scores is not None:
            s = scores.get(c, {})
            cells += [f"<td class='n'>{float(s.get(k, 0)):.3f}</td>"
                      for k in ("precision", "recall", "f1")]  # fmt: skip
            cells += [f"<td class='n'>{int(s.get(k, 0))}</td>" for k in ("tp", "fp", "fn")]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    head = "<th>category</th><th>alerts</th>" + (
        "<th>precision</th><th>recall</th><th>F1</th><th>tp</th><th>fp</th><th>fn</th>"
        if scores is not None else ""
    )  # fmt: skip
    listed = []
    for a in sorted(alerts, key=lambda a: (_day(a), a.category, a.article.id)):
        link = _esc(a.article.title or a.article.id)
        if a.article.url and a.article.url.startswith(("http://", "https://")):
            link = f"<a href='{_esc(a.article.url)}'>{link}</a>"
        listed.append(
            f"<tr><td>{_esc(_day(a))}</td><td>{_esc(a.category)}<br><span class='muted'>"
            f"{_esc(a.rule_id)} · {_esc(a.severity.value)}</span></td><td>{link}<br>"
            f"<span class='muted'>{_esc(a.article.source or '')}</span></td>"
            f"<td class='ev'>{_evidence(a)}</td></tr>"
        )
    meta = "".join(f"<li>{_esc(k)}: {_esc(v)}</li>" for k, v in (notes or {}).items())
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{_esc(title)}</title><style>{CSS}</style></head><body>"
        f"<h1>{_esc(title)}</h1><p class='muted'>generated {generated}</p><ul>{meta}</ul>"
        f"<h2>Alerts per day</h2>{timeline_svg(alerts)}"
        f"<h2>Per category</h2><table><tr>{head}</tr>{''.join(rows)}</table>"
        f"<h2>Alerts ({len(alerts)})</h2><table><tr><th>day</th><th>what</th><th>article</th>"
        f"<th>evidence</th></tr>{''.join(listed)}</table></body></html>\n"
    )
