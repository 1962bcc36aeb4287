"""SIGTERM in the middle of a stream: the worker finishes what it holds, commits, and exits 0.

The proof is on the ``alerts`` topic itself, with no deduplication in between: after a
SIGTERM and a restart in the same consumer group, every expected alert is there exactly
once. An uncommitted offset would make the second worker produce some alerts again; an
abandoned batch whose offsets were committed would lose them.
"""

from __future__ import annotations

import json
import signal
import threading
import uuid
from collections import Counter
from pathlib import Path

from kafka import KafkaConsumer

from borderwatch.core.kafka import ensure_topics
from borderwatch.core.models import Alert
from borderwatch.runtime.cluster import stream_worker, worker_log
from borderwatch.streams.detect import Detector
from tests.support.fixtures import isolated_settings
from tests.support.streaming import generated_articles, send_run
from tests.support.waiting import wait_until


class AlertsTopic:
    """Every alert record on the topic, duplicates included, read in a background thread."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.ids: Counter[str] = Counter()
        self.markers: set[tuple[int, int]] = set()
        self._stop = threading.Event()
        self._consumer = KafkaConsumer(
            topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
            group_id=f"drain-reader-{uuid.uuid4().hex[:6]}", session_timeout_ms=6000,
        )  # fmt: skip
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            for records in self._consumer.poll(timeout_ms=200).values():
                for r in records:
                    body = json.loads(r.value)
                    if body.get("type") == "marker":
                        # distinct (source, alerts partition): a marker replayed after a
                        # restart must not stand in for one not yet forwarded
                        self.markers.add((body["source_partition"], r.partition))
                    else:
                        self.ids[Alert.model_validate(body).alert_id] += 1

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self._consumer.close()


def test_sigterm_drains_in_flight_work_and_commits(
    kafka: str, detector: Detector, tmp_path: Path
) -> None:
    settings = isolated_settings(kafka, tmp_path, batch_max=16)
    ensure_topics(settings)
    articles = generated_articles("d", 240, relevant_share=0.3, seed=5)
    expected = {a.alert_id for alerts in detector.alerts_many(articles) for a in alerts}
    send_run(settings, articles, uuid.uuid4().hex[:8])

    topic = AlertsTopic(kafka, settings.alerts_topic)
    try:
        with stream_worker(settings) as worker:
            assert wait_until(lambda: len(topic.ids) >= 5, timeout=120), \
                worker_log(settings).read_text()[-2000:]  # fmt: skip
            worker.send_signal(signal.SIGTERM)
            code = worker.wait(timeout=60)
        assert code == 0, worker_log(settings).read_text()[-2000:]
        after_stop = set(topic.ids)
        assert after_stop < expected, "the stream finished before the SIGTERM: nothing to drain"
        with stream_worker(settings):  # same group: resumes from the committed offsets
            partitions = settings.alerts_partitions * settings.articles_partitions
            assert wait_until(lambda: len(topic.markers) >= partitions, timeout=240)
    finally:
        topic.close()
    twice = {k: n for k, n in topic.ids.items() if n > 1}
    missing = expected - set(topic.ids)
    assert not missing and not twice, (
        f"{len(missing)} alerts lost, {len(twice)} produced again after the SIGTERM "
        f"({len(after_stop)} before it, {len(expected)} expected)"
    )
    assert set(topic.ids) == expected
    log = worker_log(settings).read_text()
    assert "Traceback" not in log, log[-3000:]
