"""The ledger of a replay: the live one for sinks that reach people, memory for the rest.

An alert id, once delivered to Slack or a webhook, must never be delivered there again, by a
replay or a live run: story threads cannot stand in for that (a story closes after its window,
and then a repeated ``replay --to-slack`` would post the whole archive again). So a replay
reads and writes the live ledger (``DATA_DIR/state/ledger.sqlite3``) for its paging sinks.

The console and JSONL sinks of a replay are its output: they show every alert each time, and
what they printed must not tell a live ``run`` that its own console or JSONL file has an alert.
They keep their records in memory. A replay's failures are not queued for the live retry
sweep either (no payload is kept): the summary counts them, and the next replay tries again.
"""

from __future__ import annotations

from borderwatch.core.settings import Settings
from borderwatch.notifiers.base import Notifier
from borderwatch.notifiers.ledger import Delivery, Ledger


class ReplayLedger(Ledger):
    """Records of ``paging`` sinks go to ``durable``; every other sink's stay in memory."""

    def __init__(self, durable: Ledger, paging: frozenset[str]) -> None:
        super().__init__(":memory:")
        self.durable = durable
        self.paging = paging

    def _for(self, sink: str) -> Ledger | None:
        return self.durable if sink in self.paging else None

    def get(self, alert_id: str, sink: str) -> Delivery | None:
        durable = self._for(sink)
        return durable.get(alert_id, sink) if durable else super().get(alert_id, sink)

    def pending(self, alert_id: str, sink: str) -> None:
        durable = self._for(sink)
        durable.pending(alert_id, sink) if durable else super().pending(alert_id, sink)

    def delivered(self, alert_id: str, sink: str, ref: str | None = None) -> None:
        durable = self._for(sink)
        if durable:
            durable.delivered(alert_id, sink, ref)
        else:
            super().delivered(alert_id, sink, ref)

    def silenced(self, alert_id: str, sink: str, silence_id: str) -> None:
        durable = self._for(sink)
        if durable:
            durable.silenced(alert_id, sink, silence_id)
        else:
            super().silenced(alert_id, sink, silence_id)

    def failed(self, alert_id: str, sink: str, reason: str, payload: str | None = None) -> None:
        durable = self._for(sink)
        if durable:
            durable.failed(alert_id, sink, reason)  # no payload: not the live sweep's to retry
        else:
            super().failed(alert_id, sink, reason, payload)

    def close(self) -> None:
        self.durable.close()
        super().close()


def replay_ledger(settings: Settings, notifiers: list[Notifier]) -> Ledger:
    """The live ledger for a replay's paging sinks (``--to-slack``, a webhook); a dry run
    (console, JSONL only) keeps nothing."""
    paging = frozenset(n.name for n in notifiers if n.pages)
    if not paging:
        return Ledger.memory()
    return ReplayLedger(Ledger(settings.state_path("ledger.sqlite3")), paging)
