"""The reference ceiling: a faust agent that only copies records from one topic to another.

Run by bench/pipeline.py with BORDERWATCH_* settings in the environment; reads
``<prefix>articles`` and writes every record unchanged to ``<prefix>copy``.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from typing import Any

import faust

from borderwatch.core.settings import load_settings


def main() -> None:
    settings = load_settings()
    (settings.data_dir / "faust-copy").mkdir(parents=True, exist_ok=True)
    app = faust.App(
        settings.app_id + "-copy",
        broker=[f"kafka://{settings.kafka_bootstrap}"],
        store="memory://",
        datadir=str(settings.data_dir / "faust-copy"),
        processing_guarantee="at_least_once",
        broker_session_timeout=settings.session_timeout_s,
        consumer_auto_offset_reset="earliest",
        topic_allow_declare=False,
        web_enabled=False,
    )
    source = app.topic(settings.articles_topic, key_serializer="raw", value_serializer="raw")
    sink = app.topic(settings.topic("copy"), key_serializer="raw", value_serializer="raw")

    @app.agent(source, name="copy")
    async def copy(stream: Any) -> AsyncIterator[None]:
        async for event in stream.events():
            await sink.send(key=event.key, value=event.value)
            yield None

    sys.argv = [sys.argv[0], "worker", "--loglevel", "WARNING"]
    faust.Worker(app, loglevel="WARNING", quiet=True).execute_from_commandline()


if __name__ == "__main__":
    main()
