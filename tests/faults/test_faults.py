"""Fault tests: workers killed with SIGKILL in the middle of a stream, several times.

Every expected alert must be delivered, none twice. At-least-once processing may produce an
alert again after a kill; the notifier's ledger makes the second delivery a no-op.
"""

from __future__ import annotations

import json
import os
import signal
import uuid
from pathlib import Path

from borderwatch.core.kafka import ensure_topics
from borderwatch.notifiers.dispatch import Dispatcher, EndTracker
from borderwatch.notifiers.ledger import Ledger
from borderwatch.notifiers.sinks.jsonl import JsonlNotifier
from borderwatch.runtime.cluster import stream_worker, worker_log
from borderwatch.streams.detect import Detector
from tests.support.fixtures import isolated_settings
from tests.support.streaming import generated_articles, reading_alerts, send_run
from tests.support.waiting import wait_until


def test_sigkill_worker_mid_stream_delivers_every_alert_once(
    kafka: str, detector: Detector, tmp_path: Path
) -> None:
    settings = isolated_settings(kafka, tmp_path, batch_max=4)
    ensure_topics(settings)
    articles = generated_articles("f", 120, relevant_share=0.25, seed=21)
    expected = {a.alert_id for alerts in detector.alerts_many(articles) for a in alerts}
    assert len(expected) >= 20

    run_id = uuid.uuid4().hex[:8]
    out = tmp_path / "delivered.jsonl"
    ledger = Ledger(tmp_path / "ledger.db")
    delivered: list[str] = []
    dispatcher = Dispatcher(
        [JsonlNotifier(out)], ledger=ledger,
        end=EndTracker(run_id, settings.articles_partitions, settings.alerts_partitions),
        on_alert=lambda a: delivered.append(a.alert_id),
    )  # fmt: skip
    send_run(settings, articles, run_id)
    kills = 0
    with reading_alerts(settings, dispatcher, f"{settings.app_id}-faults"):
        for _ in range(2):  # run until some alerts arrive, then kill -9 mid-stream
            with stream_worker(settings) as worker:
                before = len(delivered)
                assert wait_until(lambda b=before: len(delivered) > b, timeout=120), \
                    worker_log(settings).read_text()[-2000:]  # fmt: skip
                if dispatcher.end is not None and dispatcher.end.done:
                    break
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=30)
                kills += 1
        with stream_worker(settings):  # the survivor finishes the stream
            assert wait_until(lambda: dispatcher.end is not None and dispatcher.end.done,
                              timeout=240)  # fmt: skip
    assert kills >= 1, "the stream finished before any kill: the test proved nothing"
    lines = [json.loads(x)["alert_id"] for x in out.read_text().splitlines()]
    assert set(lines) == expected  # every expected alert delivered
    assert len(lines) == len(set(lines))  # and none twice
