"""``python -m borderwatch.streams.worker``: one faust worker, settings from the environment."""

from __future__ import annotations

import logging
import os
import sys

import faust

from borderwatch.core import metrics
from borderwatch.core.errors import BorderwatchError
from borderwatch.core.logjson import json_handler
from borderwatch.core.settings import load_settings
from borderwatch.streams.worker.app import create_app


class JsonLogWorker(faust.Worker):
    """faust sets up its own plain-text handler; this one leaves only the JSON one."""

    def on_setup_root_logger(self, _logger: logging.Logger, level: int) -> None:
        super().on_setup_root_logger(_logger, level)
        handler = json_handler()
        handler.setLevel(level)
        _logger.handlers = [handler]


def main() -> None:
    try:
        settings = load_settings()
        app = create_app(settings)
        metrics.serve(settings.metrics_host, settings.worker_metrics_port)
    except BorderwatchError as exc:
        print(str(exc), file=sys.stderr)
        sys.exit(2)
    level = logging.getLevelName(logging.getLogger().getEffectiveLevel())
    # BORDERWATCH_LOG_JSON (set by ``borderwatch --log-json`` for its children too): the same
    # JSON lines as the CLI's, so a log shipper reads worker and notifier alike.
    json_logs = os.environ.get("BORDERWATCH_LOG_JSON", "").lower() in ("1", "true", "yes")
    worker_class = JsonLogWorker if json_logs else faust.Worker
    worker = worker_class(app, loglevel="WARNING" if level == "WARNING" else "INFO", quiet=True)
    worker.execute_from_commandline()


if __name__ == "__main__":
    main()
