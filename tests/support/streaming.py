"""Helpers the stream fault tests share: generated articles, a finished run on ``articles``,
and a background alert reader."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from borderwatch.connectors.producer import ArticleWriter
from borderwatch.core.models import Article
from borderwatch.core.settings import Settings
from borderwatch.notifiers.dispatch import Dispatcher, consume_alerts
from tests.support.loadgen import generate


def generated_articles(prefix: str, n: int, relevant_share: float, seed: int) -> list[Article]:
    """Load-generator articles with ids unique to one test."""
    return [a.model_copy(update={"id": f"{prefix}{i}"}) for i, a in
            enumerate(generate(n, relevant_share=relevant_share, seed=seed))]  # fmt: skip


def send_run(settings: Settings, articles: list[Article], run_id: str) -> None:
    """Produce the articles, then the run's end markers."""
    writer = ArticleWriter(settings, run_id=run_id)
    try:
        for article in articles:
            writer.send(article)
        writer.finish()
    finally:
        writer.close()


@contextmanager
def reading_alerts(settings: Settings, dispatcher: Dispatcher, group: str) -> Iterator[None]:
    """``consume_alerts`` in a thread for the length of the block."""
    stop = threading.Event()
    reader = threading.Thread(target=consume_alerts, args=(settings, dispatcher, group),
                              kwargs={"stop": stop.is_set}, daemon=True)  # fmt: skip
    reader.start()
    try:
        yield
    finally:
        stop.set()
        reader.join(timeout=30)
