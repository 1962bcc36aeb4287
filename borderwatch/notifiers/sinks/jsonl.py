"""Alerts appended to a JSONL file: the analyst's record of a replay, and a simple audit log."""

from __future__ import annotations

from pathlib import Path

from borderwatch.core.models import Alert
from borderwatch.notifiers.base import Notifier


class JsonlNotifier(Notifier):
    name = "jsonl"

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._fh = path.open("a", encoding="utf-8")

    def send(self, alert: Alert) -> str | None:
        self._fh.write(alert.model_dump_json(exclude_none=True) + "\n")
        self._fh.flush()
        return None

    def close(self) -> None:
        self._fh.close()
