"""alerts.dlq: deliveries that failed after their retry budget, with the reason.

The record is the evidence that nothing was dropped silently: ops can see what failed and
why, and replay it. The notifier itself retries from its ledger (see ``retry_failed``).
"""

from __future__ import annotations

import json
import logging

from borderwatch.core.kafka import producer
from borderwatch.core.models import Alert, utcnow
from borderwatch.core.settings import Settings

log = logging.getLogger(__name__)


def dlq_record(alert: Alert, sink: str, reason: str) -> bytes:
    body = {
        "reason": reason,
        "sink": sink,
        "at": utcnow().isoformat(),
        "alert": json.loads(alert.model_dump_json(exclude_none=True)),
    }
    return json.dumps(body).encode("utf-8")


class AlertDlq:
    def __init__(self, settings: Settings) -> None:
        self.topic = settings.alerts_dlq_topic
        self._producer = producer(settings)

    def __call__(self, alert: Alert, sink: str, reason: str) -> None:
        try:
            self._producer.send(
                self.topic, key=alert.alert_id.encode(), value=dlq_record(alert, sink, reason)
            )
            self._producer.flush(timeout=30)
        except Exception as exc:  # the ledger still has it; say so loudly
            log.error("could not write alert %s to %s: %s", alert.alert_id, self.topic, exc)

    def close(self) -> None:
        self._producer.close(timeout=10)
