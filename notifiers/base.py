"""The small interface every notifier implements (as quix-streams' sinks do)."""

from __future__ import annotations

from abc import ABC, abstractmethod

from borderwatch.models import Alert


class Notifier(ABC):
    name: str = "notifier"

    @abstractmethod
    def send(self, alert: Alert) -> None:
        """Deliver one alert; raise on failure so the runner can count and retry it."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources; most notifiers have none."""
