"""Slack message building: Block Kit plus a plain fallback, with every article string escaped.

Article text is untrusted: without escaping, ``<!channel>`` in a headline would ping a whole
channel and ``<https://evil|click>`` would disguise a link.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from borderwatch.core.models import Alert, Severity
from borderwatch.notifiers.sinks.maps import map_url
from borderwatch.notifiers.sinks.text import (
    casualty_summary,
    confidence_label,
    frame_line,
    headline,
    where,
)

SECTION_LIMIT = 2900  # Block Kit allows 3000 characters in a section's text
HEADER_LIMIT = 150
FALLBACK_LIMIT = 3000
MAX_CROSSINGS = 5


def escape(text: str) -> str:
    """Slack mrkdwn escaping: the three control characters, nothing else."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def evidence_mrkdwn(alert: Alert, limit: int = SECTION_LIMIT) -> str:
    """The evidence sentence with matched words in bold, escaped piece by piece."""
    out = []
    for text, matched in alert.evidence.segments():
        word = text.replace("*", "") if matched else text
        out.append(f"*{escape(word)}*" if matched and word.strip() else escape(word))
    return cut("".join(out), limit)


def _link(alert: Alert) -> str:
    title = escape(cut(alert.article.title or alert.article.id, 300)).replace("|", "¦")
    url = alert.article.url
    if url and url.startswith(("http://", "https://")) and not any(c in url for c in "<>| "):
        return f"<{url}|{title}>"
    return title


def _map_link(alert: Alert) -> str:
    """A map link (OpenStreetMap, at the border's coordinates) when it has them."""
    url = map_url(alert.facts)
    return f" · <{url}|map>" if url else ""


def fallback_text(alert: Alert) -> str:
    """The notification and screen-reader text: the event line and the band come before the
    headline's details, since a phone shows only the start."""
    casualties = casualty_summary(alert.facts)
    frame, sure = frame_line(alert), confidence_label(alert)
    text = (
        f"{headline(alert)}{' · ' + sure if sure else ''}: "
        f"{frame + ' · ' if frame else ''}{alert.article.title or alert.article.id} "
        f"({where(alert.facts)}{'; ' + casualties if casualties else ''})"
    )
    return cut(escape(text), FALLBACK_LIMIT)


def _what(alert: Alert) -> list[dict[str, Any]]:
    """The event frame as one line, when one was read; escaped like article text (it may
    quote a perpetrator as the article wrote it)."""
    line = frame_line(alert)
    if line is None:
        return []
    text = cut(f"*What:* {escape(line)}", SECTION_LIMIT)
    return [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]


def _confidence(alert: Alert) -> list[str]:
    sure = confidence_label(alert)
    return [f"*Confidence:* {escape(sure)}"] if sure else []


def blocks(alert: Alert) -> list[dict[str, Any]]:
    published = alert.article.published.isoformat() if alert.article.published else "unknown"
    fields = [
        f"*Where:* {escape(where(alert.facts))}{_map_link(alert)}",
        f"*Casualties:* {escape(casualty_summary(alert.facts) or '—')}",
        *_confidence(alert),
        f"*Source:* {escape(alert.article.source or 'unknown')}",
        f"*Published:* {escape(published)}",
    ]
    return [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": cut(headline(alert), HEADER_LIMIT)},
        },
        {"type": "section", "text": {"type": "mrkdwn", "text": _link(alert)}},
        *_what(alert),
        {"type": "section", "fields": [{"type": "mrkdwn", "text": cut(f, 1900)} for f in fields]},
        {"type": "section", "text": {"type": "mrkdwn", "text": "> " + evidence_mrkdwn(alert)}},
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": escape(f"rule {alert.rule_id} · rules {alert.rules_version}"),
                }
            ],
        },
    ]


def raised(severity: Severity) -> Severity:
    """One step up, for a story that enough sources confirm."""
    order = list(Severity)
    return order[min(order.index(severity) + 1, len(order) - 1)]


def parent_blocks(alert: Alert, sources: int, first_at: float, last_at: float,
                  escalated: bool) -> list[dict[str, Any]]:  # fmt: skip
    """The story's first message, rewritten as reports come in. ``alert`` is the story's view
    (its newest report with the best facts of all: highest tolls, every country and crossing);
    ``first_at``/``last_at`` are the reports' own times. Raised severity once escalated."""
    shown = alert.model_copy(update={"severity": raised(alert.severity)}) if escalated else alert
    out = blocks(shown)
    if escalated:
        out[0]["text"]["text"] = cut(headline(shown) + " · ESCALATED", HEADER_LIMIT)
    first = datetime.fromtimestamp(first_at, UTC).strftime("%Y-%m-%d %H:%M UTC")
    last = datetime.fromtimestamp(last_at, UTC).strftime("%Y-%m-%d %H:%M UTC")
    context = f"{sources} source(s) · first {first} · latest {last}"
    crossings = alert.facts.crossings
    if len(crossings) > 1:  # the "Where" line names one; a story may have several
        context += " · crossings " + ", ".join(crossings[:MAX_CROSSINGS])
        context += f" (+{len(crossings) - MAX_CROSSINGS})" if len(crossings) > MAX_CROSSINGS else ""
    out[-1]["elements"].append({"type": "mrkdwn", "text": escape(context)})
    return out


def reply_blocks(alert: Alert) -> list[dict[str, Any]]:
    """A thread reply: which outlet, its link, its reading of the event, evidence and facts."""
    fields = [
        f"*Source:* {escape(alert.article.source or 'unknown')}",
        f"*Casualties:* {escape(casualty_summary(alert.facts) or '—')}",
        *_confidence(alert),
    ]
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": _link(alert)}},
        *_what(alert),
        {"type": "section", "fields": [{"type": "mrkdwn", "text": cut(f, 1900)} for f in fields]},
        {"type": "section", "text": {"type": "mrkdwn", "text": "> " + evidence_mrkdwn(alert)}},
    ]
