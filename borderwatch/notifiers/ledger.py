"""The delivery ledger: which alert went to which sink, durably, in SQLite.

Alerts are consumed at least once, and a notifier can die between a Slack call and the offset
commit. The ledger makes redelivery harmless: a sink is skipped for an alert it already
delivered, and an alert left ``pending`` (the process died mid-call) is checked against the
sink before it is sent again. It lives in the state directory and survives restarts; where
nothing may persist (a replay, a test) it is ``Ledger.memory()``, so delivery runs the same
steps either way.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum

from borderwatch.core.backoff import backoff_delay
from borderwatch.core.sqlite import Row, Store

RETRY_CAP_S = 86400.0  # a delivery failing for days is retried daily, not never


class DeliveryStatus(StrEnum):
    """What became of one alert at one sink; the values are what the ledger file stores."""

    PENDING = "pending"  # the call is under way (or the process died during it)
    DELIVERED = "delivered"
    FAILED = "failed"  # queued for a retry sweep
    SILENCED = "silenced"  # a paging sink kept quiet by a silence


_STATUSES = ", ".join(f"'{s.value}'" for s in DeliveryStatus)
_COLUMNS = "alert_id, sink, status, ref, attempts, reason, updated"


@dataclass(frozen=True)
class Delivery:
    alert_id: str
    sink: str
    status: DeliveryStatus
    ref: str | None
    attempts: int
    reason: str | None
    updated: float

    @classmethod
    def from_row(cls, row: Row) -> Delivery:
        alert_id, sink, status, ref, attempts, reason, updated = row
        return cls(alert_id, sink, DeliveryStatus(status), ref, attempts, reason, updated)


class Ledger(Store):
    schema = f"""
CREATE TABLE IF NOT EXISTS deliveries (
    alert_id TEXT NOT NULL,
    sink TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ({_STATUSES})),
    ref TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    reason TEXT,
    payload TEXT,
    updated REAL NOT NULL,
    PRIMARY KEY (alert_id, sink)
)
"""

    def get(self, alert_id: str, sink: str) -> Delivery | None:
        row = self.one(
            f"SELECT {_COLUMNS} FROM deliveries WHERE alert_id = ? AND sink = ?", (alert_id, sink)
        )
        return Delivery.from_row(row) if row else None

    def _upsert(self, alert_id: str, sink: str, status: DeliveryStatus, ref: str | None,
                reason: str | None, attempt: int) -> None:  # fmt: skip
        self.execute(
            f"INSERT INTO deliveries ({_COLUMNS}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (alert_id, sink) DO UPDATE SET "
            "status = excluded.status, ref = COALESCE(excluded.ref, deliveries.ref), "
            "attempts = deliveries.attempts + excluded.attempts, reason = excluded.reason, "
            "updated = excluded.updated",
            (alert_id, sink, status, ref, attempt, reason, time.time()),
        )

    def pending(self, alert_id: str, sink: str) -> None:
        """Written before the call: if the process dies now, the next run checks the sink."""
        self._upsert(alert_id, sink, DeliveryStatus.PENDING, None, None, 1)

    def delivered(self, alert_id: str, sink: str, ref: str | None = None) -> None:
        self._upsert(alert_id, sink, DeliveryStatus.DELIVERED, ref, None, 0)

    def silenced(self, alert_id: str, sink: str, silence_id: str) -> None:
        self._upsert(alert_id, sink, DeliveryStatus.SILENCED, silence_id, None, 0)

    def failed(self, alert_id: str, sink: str, reason: str, payload: str | None = None) -> None:
        """``payload`` (the alert's JSON) lets a later sweep retry without Kafka's help."""
        self._upsert(alert_id, sink, DeliveryStatus.FAILED, None, reason, 0)
        if payload is not None:
            self.execute(
                "UPDATE deliveries SET payload = ? WHERE alert_id = ? AND sink = ?",
                (payload, alert_id, sink),
            )

    def due(self, now: float, base_delay_s: float) -> list[tuple[Delivery, str]]:
        """Failed deliveries whose backoff (base, doubling per attempt, at most a day) is over."""
        rows = self.rows(
            f"SELECT {_COLUMNS}, payload FROM deliveries WHERE status = ? AND payload IS NOT NULL",
            (DeliveryStatus.FAILED,),
        )
        out = []
        for *fields, payload in rows:
            d = Delivery.from_row(tuple(fields))
            if d.updated + backoff_delay(d.attempts, base_delay_s, RETRY_CAP_S) <= now:
                out.append((d, str(payload)))
        return out

    def failures(self, sink: str | None = None) -> list[Delivery]:
        query = f"SELECT {_COLUMNS} FROM deliveries WHERE status = ?"
        params: tuple[str, ...] = (DeliveryStatus.FAILED,)
        if sink:
            query, params = query + " AND sink = ?", (*params, sink)
        return [Delivery.from_row(r) for r in self.rows(query, params)]
