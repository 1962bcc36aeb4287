"""Alerts appended to a JSONL file: the analyst's record of a replay, and a simple audit log.

What ops do in Slack (acknowledgements, silences, feedback) goes into the same file as lines
of their own ``type``, so a reader follows one file; a reader of alerts skips other types.
"""

from __future__ import annotations

import threading
from pathlib import Path

from borderwatch.core.models import Alert
from borderwatch.notifiers.base import Notifier
from borderwatch.notifiers.feedback import OpsEvent


class JsonlNotifier(Notifier):
    name = "jsonl"

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._fh = path.open("a", encoding="utf-8")
        self._lock = threading.Lock()  # alerts and click events come from different threads

    def _line(self, text: str) -> None:
        with self._lock:
            self._fh.write(text + "\n")
            self._fh.flush()

    def send(self, alert: Alert) -> str | None:
        self._line(alert.model_dump_json(exclude_none=True))
        return None

    def event(self, event: OpsEvent) -> None:
        self._line(event.model_dump_json(exclude_none=True))

    def close(self) -> None:
        self._fh.close()
