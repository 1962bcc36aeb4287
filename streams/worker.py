"""``python -m streams.worker``: run one faust worker with settings from the environment."""

from __future__ import annotations

import logging
import sys

import faust

from borderwatch import metrics
from borderwatch.errors import BorderwatchError
from borderwatch.settings import load_settings
from streams.app import create_app


def main() -> None:
    try:
        settings = load_settings()
        app = create_app(settings)
        metrics.serve(settings.metrics_host, settings.worker_metrics_port)
    except BorderwatchError as exc:
        print(str(exc), file=sys.stderr)
        sys.exit(2)
    level = logging.getLevelName(logging.getLogger().getEffectiveLevel())
    worker = faust.Worker(app, loglevel="WARNING" if level == "WARNING" else "INFO", quiet=True)
    worker.execute_from_commandline()


if __name__ == "__main__":
    main()
