"""JSON log lines (``--log-json`` or BORDERWATCH_LOG_JSON=1) for log shippers.

Each record is one JSON object with time, level, logger and message, plus ``article_id`` and
``alert_id`` when the call passed them in ``extra``. Secrets never reach a log message in the
first place (they are ``SecretStr``), so nothing is filtered here.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

FIELDS = ("article_id", "alert_id", "sink", "feed", "rule_id")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        body: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            if hasattr(record, name):
                body[name] = getattr(record, name)
        if record.exc_info:
            body["error"] = self.formatException(record.exc_info)
        return json.dumps(body, ensure_ascii=False)


def json_handler() -> logging.Handler:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    return handler
