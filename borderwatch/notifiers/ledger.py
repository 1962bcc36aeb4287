"""The delivery ledger: which alert went to which sink, durably, in SQLite.

Alerts are consumed at least once, and a notifier can die between a Slack call and the offset
commit. The ledger makes redelivery harmless: a sink is skipped for an alert it already
delivered, and an alert left ``pending`` (the process died mid-call) is checked against the
sink before it is sent again. It lives in the state directory and survives restarts.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"
SILENCED = "silenced"

SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    alert_id TEXT NOT NULL,
    sink TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'silenced')),
    ref TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    reason TEXT,
    payload TEXT,
    updated REAL NOT NULL,
    PRIMARY KEY (alert_id, sink)
)
"""


@dataclass(frozen=True)
class Delivery:
    alert_id: str
    sink: str
    status: str
    ref: str | None
    attempts: int
    reason: str | None
    updated: float


class Ledger:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # a delivery record must survive a crash
        self._db.execute(SCHEMA)

    def get(self, alert_id: str, sink: str) -> Delivery | None:
        with self._lock:
            row = self._db.execute(
                "SELECT alert_id, sink, status, ref, attempts, reason, updated FROM deliveries "
                "WHERE alert_id = ? AND sink = ?",
                (alert_id, sink),
            ).fetchone()
        return Delivery(*row) if row else None

    def _upsert(self, alert_id: str, sink: str, status: str, ref: str | None,
                reason: str | None, attempt: int) -> None:  # fmt: skip
        with self._lock:
            self._db.execute(
                "INSERT INTO deliveries (alert_id, sink, status, ref, attempts, reason, updated) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (alert_id, sink) DO UPDATE SET "
                "status = excluded.status, ref = COALESCE(excluded.ref, deliveries.ref), "
                "attempts = deliveries.attempts + excluded.attempts, reason = excluded.reason, "
                "updated = excluded.updated",
                (alert_id, sink, status, ref, attempt, reason, time.time()),
            )

    def pending(self, alert_id: str, sink: str) -> None:
        """Written before the call: if the process dies now, the next run checks the sink."""
        self._upsert(alert_id, sink, PENDING, None, None, 1)

    def delivered(self, alert_id: str, sink: str, ref: str | None = None) -> None:
        self._upsert(alert_id, sink, DELIVERED, ref, None, 0)

    def silenced(self, alert_id: str, sink: str, silence_id: str) -> None:
        self._upsert(alert_id, sink, SILENCED, silence_id, None, 0)

    def failed(self, alert_id: str, sink: str, reason: str, payload: str | None = None) -> None:
        """``payload`` (the alert's JSON) lets a later sweep retry without Kafka's help."""
        self._upsert(alert_id, sink, FAILED, None, reason, 0)
        if payload is not None:
            with self._lock:
                self._db.execute(
                    "UPDATE deliveries SET payload = ? WHERE alert_id = ? AND sink = ?",
                    (payload, alert_id, sink),
                )

    def due(self, now: float, base_delay_s: float) -> list[tuple[Delivery, str]]:
        """Failed deliveries whose backoff (base * 2^(attempts-1), at most a day) is over."""
        with self._lock:
            rows = self._db.execute(
                "SELECT alert_id, sink, status, ref, attempts, reason, updated, payload "
                "FROM deliveries WHERE status = 'failed' AND payload IS NOT NULL"
            ).fetchall()
        out = []
        for *fields, payload in rows:
            d = Delivery(*fields)
            delay = min(base_delay_s * 2 ** max(d.attempts - 1, 0), 86400.0)
            if d.updated + delay <= now:
                out.append((d, str(payload)))
        return out

    def failures(self, sink: str | None = None) -> list[Delivery]:
        query = "SELECT alert_id, sink, status, ref, attempts, reason, updated FROM deliveries "
        query += "WHERE status = 'failed'" + (" AND sink = ?" if sink else "")
        with self._lock:
            rows = self._db.execute(query, (sink,) if sink else ()).fetchall()
        return [Delivery(*r) for r in rows]

    def close(self) -> None:
        with self._lock:
            self._db.close()
