"""Alerts printed to a terminal with rich, for demos, replays and analysts."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.text import Text

from borderwatch.core.models import Alert
from borderwatch.notifiers.base import Notifier
from borderwatch.notifiers.sinks.text import (
    casualty_summary,
    confidence_label,
    frame_line,
    headline,
    where,
)

STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "white"}


class ConsoleNotifier(Notifier):
    name = "console"

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console()

    def send(self, alert: Alert) -> str | None:
        # Every piece is a Text, never markup: "[red]" in a headline prints as written.
        sentence = Text(alert.evidence.sentence)
        for span in alert.evidence.spans:
            sentence.stylize("bold underline", span.start, span.end)
        frame, sure = frame_line(alert), confidence_label(alert)
        reading: list[tuple[str, str]] = [("what: ", "dim"), (frame, "bold")] if frame else []
        if sure:
            reading += [("   " if frame else "", ""), ("confidence: ", "dim"), (sure, "")]
        body = Text.assemble(
            (alert.article.title or alert.article.id, "bold"),
            "\n",
            f"where: {where(alert.facts)}",
            f"   casualties: {casualty_summary(alert.facts) or '-'}",
            "\n",
            *reading,
            "\n" if reading else "",
            sentence,
            "\n",
            (f"{alert.rule_id} · rules {alert.rules_version} · {alert.article.url or ''}", "dim"),
        )
        style = STYLE.get(alert.severity.value, "white")
        self.console.print(Panel(body, title=escape(headline(alert)), border_style=style))
        return None
