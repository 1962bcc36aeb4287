"""Poison records on ``articles`` through a real faust worker: each goes to ``articles.dlq``
with its reason, and the good articles around it still become alerts."""

from __future__ import annotations

import json
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from kafka import KafkaConsumer, KafkaProducer

from borderwatch.connectors.producer import ArticleWriter
from borderwatch.core.kafka import ensure_topics
from borderwatch.core.models import Article
from borderwatch.notifiers.dispatch import Dispatcher, EndTracker
from borderwatch.notifiers.ledger import Ledger
from borderwatch.runtime.broker import free_port
from borderwatch.runtime.cluster import stream_worker, worker_log
from tests.support.fixtures import isolated_settings
from tests.support.streaming import reading_alerts
from tests.support.waiting import wait_until

GOOD = (
    "Border guards fired on a group of migrants at the river crossing into Poland on "
    "Tuesday night, wounding two men, the regional police said."
)


def _article(i: int, text: str = GOOD) -> Article:
    return Article(id=f"poison-ok-{i}", title="Guards fire at crossing", text=text)


def test_poison_records_go_to_dlq_and_the_stream_continues(kafka: str, tmp_path: Path) -> None:
    metrics_port = free_port()
    settings = isolated_settings(kafka, tmp_path, batch_max=8, worker_metrics_port=metrics_port)
    ensure_topics(settings)
    fifty_mb = _article(99, "x" * (50 * 1024 * 1024)).model_dump_json().encode()
    unknown_version = json.loads(_article(98).model_dump_json())
    unknown_version["schema_version"] = 7
    poison: dict[bytes, bytes] = {
        b"bad-json": b'{"id": "half an article", "text": ',
        b"bad-version": json.dumps(unknown_version).encode(),
        b"huge": fifty_mb,
    }
    raw = KafkaProducer(bootstrap_servers=kafka, max_request_size=64 * 1024 * 1024, acks="all")
    writer = ArticleWriter(settings, run_id=uuid.uuid4().hex[:8])
    run_id = writer.run_id
    # good, poison, good, poison, ...: all on partition 0, so order around them is tested
    for i, (key, value) in enumerate(poison.items()):
        writer.send(_article(i))
        writer.producer.flush()
        raw.send(settings.articles_topic, key=key, value=value, partition=0).get(timeout=60)
    writer.send(_article(len(poison)))
    writer.finish()
    writer.close()
    raw.close()

    alerts: list[str] = []
    dispatcher = Dispatcher(
        [], ledger=Ledger.memory(), on_alert=lambda a: alerts.append(a.article.id),
        end=EndTracker(run_id, settings.articles_partitions, settings.alerts_partitions),
    )  # fmt: skip
    reading = reading_alerts(settings, dispatcher, f"{settings.app_id}-poison")
    with stream_worker(settings) as worker:
        with reading:
            done = wait_until(lambda: dispatcher.end is not None and dispatcher.end.done, 180)
        assert done, worker_log(settings).read_text()[-3000:]
        assert worker.poll() is None, "the worker died on a poison record"
        # the worker's own view: three poison records, and its lag on the articles topic
        lag = (f'borderwatch_consumer_lag{{group="{settings.app_id}",partition="0",'
               f'topic="{settings.articles_topic}"}}')  # fmt: skip
        exposed = ""

        def scraped() -> bool:
            nonlocal exposed
            url = f"http://127.0.0.1:{metrics_port}/metrics"
            with urllib.request.urlopen(url, timeout=5) as resp:
                exposed = resp.read().decode()
            return lag in exposed

        assert wait_until(scraped, timeout=30), exposed[-2000:]
    assert 'borderwatch_dead_letters_total{topic="' + settings.dlq_topic + '"} 3.0' in exposed
    assert sorted(alerts) == [f"poison-ok-{i}" for i in range(len(poison) + 1)]

    dlq = _read_all(kafka, settings.dlq_topic, expected=len(poison))
    reasons = {d["key"]: d for d in dlq}
    assert set(reasons) == {k.decode() for k in poison}
    assert "invalid message" in reasons["bad-json"]["reason"]
    assert "json" in reasons["bad-json"]["reason"].lower()
    assert "schema_version" in reasons["bad-version"]["reason"]
    assert reasons["huge"]["reason"].startswith("record too large")
    assert reasons["huge"]["size"] == len(fifty_mb)
    assert len(reasons["huge"]["sample"]) <= 2_000  # the DLQ keeps a bounded sample


def _read_all(bootstrap: str, topic: str, expected: int) -> list[dict[str, Any]]:
    consumer = KafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
        group_id=f"dlq-reader-{uuid.uuid4().hex[:6]}", session_timeout_ms=6000,
    )  # fmt: skip
    out: list[dict[str, Any]] = []

    def more() -> bool:
        for records in consumer.poll(timeout_ms=500).values():
            out.extend(json.loads(r.value) for r in records)
        return len(out) >= expected

    try:
        wait_until(more, timeout=60)
    finally:
        consumer.close()
    return out
