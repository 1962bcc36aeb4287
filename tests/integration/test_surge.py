"""Surges through the real broker and a real worker: a planted surge alerts once, noise never,
and a worker killed mid-stream does not raise the surge twice."""

from __future__ import annotations

import json
import os
import re
import signal
import uuid
from pathlib import Path

from borderwatch.connectors.producer import ArticleWriter
from borderwatch.core.kafka import ensure_topics
from borderwatch.core.models import Alert, Article
from borderwatch.notifiers.dispatch import Dispatcher, EndTracker
from borderwatch.notifiers.ledger import Ledger
from borderwatch.notifiers.sinks.jsonl import JsonlNotifier
from borderwatch.runtime.cluster import stream_worker, worker_log
from borderwatch.runtime.replay import replay
from tests.support import surgegen
from tests.support.fixtures import isolated_settings
from tests.support.streaming import reading_alerts
from tests.support.waiting import wait_until


def _replay(kafka: str, tmp_path: Path, articles: list[Article]) -> list[Alert]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    archive = tmp_path / "archive.jsonl"
    surgegen.write_jsonl(archive, articles)
    settings = isolated_settings(kafka, tmp_path, batch_max=64)
    summary = replay(settings, [archive], notifiers=[], timeout_s=240)
    assert summary.articles == len(articles)
    return [a for a in summary.alert_list if a.category == "surge"]


def test_a_planted_surge_alerts_once_and_noise_never(kafka: str, tmp_path: Path) -> None:
    planted = _replay(kafka, tmp_path / "planted", surgegen.archive(planted=True))
    assert [a.group for a in planted] == ["surge:region:evros"], [a.evidence for a in planted]
    alert = planted[0]
    assert alert.surge is not None and alert.surge.sources >= 3
    assert re.match(r"Evros: \d+ reports from \d+ sources in the last hour, usually ",
                    alert.evidence.sentence)  # fmt: skip
    assert "Crowds gather at the border near Evros" in [h.title for h in alert.surge.headlines]

    noise = _replay(kafka, tmp_path / "noise", surgegen.archive(planted=False))
    assert noise == []


def test_a_worker_killed_mid_stream_does_not_raise_the_surge_twice(
    kafka: str, tmp_path: Path
) -> None:
    settings = isolated_settings(kafka, tmp_path, batch_max=8)
    ensure_topics(settings)
    articles = surgegen.archive(planted=True)
    cut = next(i for i, a in enumerate(articles) if a.id.startswith("surge-")) + 8
    run_id = uuid.uuid4().hex[:8]
    out = tmp_path / "delivered.jsonl"
    surges: list[str] = []
    dispatcher = Dispatcher(
        [JsonlNotifier(out)], ledger=Ledger(tmp_path / "ledger.db"),
        end=EndTracker(run_id, settings.articles_partitions, settings.alerts_partitions),
        on_alert=lambda a: surges.append(a.alert_id) if a.category == "surge" else None,
    )  # fmt: skip
    writer = ArticleWriter(settings, run_id=run_id)
    with reading_alerts(settings, dispatcher, f"{settings.app_id}-surge-test"):
        for article in articles[:cut]:
            writer.send(article)
        writer.producer.flush()
        with stream_worker(settings) as worker:
            assert wait_until(lambda: bool(surges), timeout=180), \
                worker_log(settings).read_text()[-3000:]  # fmt: skip
            os.killpg(worker.pid, signal.SIGKILL)  # before it commits the mentions after it
            worker.wait(timeout=30)
        for article in articles[cut:]:
            writer.send(article)
        writer.finish()
        writer.close()
        with stream_worker(settings):
            assert wait_until(lambda: dispatcher.end is not None and dispatcher.end.done,
                              timeout=240), worker_log(settings).read_text()[-3000:]  # fmt: skip
    delivered = [json.loads(line) for line in out.read_text().splitlines()]
    surge_ids = [d["alert_id"] for d in delivered if d["category"] == "surge"]
    assert len(surge_ids) == 1, surge_ids  # once, though the worker was killed after it
    assert len(set(surges)) == 1
