"""Metrics, health and readiness over HTTP, counted by the real code paths."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from pathlib import Path

from prometheus_client import REGISTRY

from borderwatch.core import metrics
from borderwatch.core.models import Article
from borderwatch.core.settings import Settings
from borderwatch.notifiers.dispatch import Dispatcher
from borderwatch.notifiers.ledger import Ledger
from borderwatch.notifiers.sinks.jsonl import JsonlNotifier
from borderwatch.runtime.broker import free_port
from borderwatch.streams.detect import Detector
from borderwatch.streams.worker.processor import Processor


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def value(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_health_and_readiness(detector: Detector, tmp_path: Path) -> None:
    port = free_port()
    server = metrics.serve("127.0.0.1", port)
    assert server is not None and server.server_address[0] == "127.0.0.1"
    base = f"http://127.0.0.1:{port}"
    try:
        assert get(f"{base}/healthz") == (200, "ok\n")
        before = get(f"{base}/metrics")[1]
        proc = Processor(Settings(), detector)
        shooting = Article(id="m1", text="Border guards opened fire on migrants at the fence.")
        plain = Article(id="m2", text="Sales of umbrellas rose during a rainy month.")
        outputs = proc.process_batch([(shooting.to_bytes(), b"1"), (plain.to_bytes(), b"2"),
                                      (b"{bad", b"3")])  # fmt: skip
        dispatcher = Dispatcher([JsonlNotifier(tmp_path / "a.jsonl")], ledger=Ledger.memory())
        for out in outputs:
            if out.topic == Settings().alerts_topic:
                dispatcher.handle(out.value, 0)
        metrics.mark_ready()
        status, after = get(f"{base}/metrics")
        assert status == 200
        assert (
            value(after, "borderwatch_articles_in_total")
            - value(before, "borderwatch_articles_in_total")
            == 2
        )
        assert value(after, "borderwatch_articles_prefiltered_total") >= 1
        assert 'borderwatch_alerts_total{category="border_shooting"}' in after
        assert 'borderwatch_deliveries_total{result="delivered",sink="jsonl"}' in after
        assert "borderwatch_end_to_end_seconds_bucket" in after
        assert value(after, "borderwatch_dead_letters_total") >= 1
        assert get(f"{base}/readyz")[0] == 200
    finally:
        server.shutdown()
        server.server_close()


def test_metrics_off_by_default() -> None:
    assert metrics.serve("127.0.0.1", Settings().metrics_port) is None


def test_consumer_lag_is_the_high_watermark_minus_the_next_offset(
    kafka: str, tmp_path: Path
) -> None:
    from kafka import KafkaConsumer, KafkaProducer

    from borderwatch.core.kafka import ensure_topics
    from borderwatch.notifiers.dispatch import observe_lag
    from tests.support.fixtures import isolated_settings

    settings = isolated_settings(kafka, tmp_path, alerts_partitions=1)
    ensure_topics(settings)
    producer = KafkaProducer(bootstrap_servers=kafka)
    for i in range(30):  # one record per batch: Tansu's end offsets are right for those
        producer.send(settings.alerts_topic, f"{i}".encode(), partition=0).get(timeout=30)
    producer.close()
    kc = KafkaConsumer(settings.alerts_topic, bootstrap_servers=kafka, group_id="lag-test",
                       auto_offset_reset="earliest", max_poll_records=5,
                       session_timeout_ms=6000)  # fmt: skip
    try:
        batch: dict = {}
        deadline = time.monotonic() + 60
        while not batch and time.monotonic() < deadline:
            batch = kc.poll(timeout_ms=500)
        observe_lag(kc, batch)
    finally:
        kc.close()
    read = sum(len(r) for r in batch.values())
    assert 1 <= read <= 5
    labels = {"group": "lag-test", "topic": settings.alerts_topic, "partition": "0"}
    assert REGISTRY.get_sample_value("borderwatch_consumer_lag", labels) == 30 - read
