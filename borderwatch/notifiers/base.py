"""The small interface every notifier implements (as quix-streams' sinks do)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

from borderwatch.core.models import Alert

if TYPE_CHECKING:
    from borderwatch.notifiers.feedback import OpsEvent


class Notifier(ABC):
    name: str = "notifier"
    pages: bool = False  # reaches people (Slack, webhook): silences apply to it

    @abstractmethod
    def send(self, alert: Alert) -> str | None:
        """Deliver one alert; raise on failure so the runner can count and retry it.

        Returns the sink's reference for the delivery (Slack's message ``ts``) if it has one.
        """

    def find_delivered(self, alert: Alert, since: float) -> str | None:
        """After a crash mid-delivery: the reference of this alert if the sink already has
        it, else None (then it is sent again). Sinks that cannot tell return None."""
        return None

    def held(self, alert: Alert) -> None:  # noqa: B027 - optional hook
        """A silence on this alert's story kept it from the sink. A sink that keeps stories
        files it quietly, so the story stays open while reports come (and a silence "until
        it goes quiet" ends when they stop)."""

    def event(self, event: OpsEvent) -> None:  # noqa: B027 - optional hook
        """Something ops did in Slack (acknowledged, silenced, gave feedback). Sinks that
        other tools follow (webhook, JSONL) pass it on; the rest ignore it."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources; most notifiers have none."""
