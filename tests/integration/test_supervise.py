"""The supervisor's decisions, on real child processes and a real broker."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from kafka import KafkaAdminClient
from kafka.admin import NewTopic

from borderwatch.connectors.archive import ArticleArchive, recent
from borderwatch.core.backoff import Backoff
from borderwatch.core.errors import BrokerError
from borderwatch.core.kafka import ensure_topics
from borderwatch.core.models import Article
from borderwatch.core.settings import Settings
from borderwatch.runtime.supervise import CRASH_LOOP_RESTARTS, Supervisor
from tests.support.fixtures import isolated_settings
from tests.support.waiting import wait_until


def test_a_worker_that_keeps_dying_ends_the_job_after_a_few_restarts(tmp_path: Path) -> None:
    spawned: list[subprocess.Popen[bytes]] = []

    def spawn() -> subprocess.Popen[bytes]:
        spawned.append(subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"]))
        return spawned[-1]

    sup = Supervisor(
        Settings(data_dir=tmp_path),
        spawn_worker=spawn,
        stop_worker=lambda p: None,
        worker_failure=lambda p: RuntimeError(f"worker exited with {p.returncode}"),  # type: ignore[arg-type, return-value]
        check_s=0.01,
        worker_backoff=Backoff(first_s=0.01, cap_s=0.05),
    ).start()
    try:
        assert wait_until(lambda: sup.failure is not None, timeout=30)
    finally:
        sup.stop()
    assert len(spawned) == CRASH_LOOP_RESTARTS + 1  # the first start, then the restarts
    assert "exited with 3" in str(sup.failure)


def test_an_auto_created_topic_is_recreated_with_its_partition_count(
    kafka: str, tmp_path: Path
) -> None:
    """A just-restarted embedded broker: a client asked for ``alerts`` first, and Tansu
    created it with 4 partitions."""
    settings = isolated_settings(kafka, tmp_path, alerts_partitions=2)
    client = KafkaAdminClient(bootstrap_servers=kafka)
    client.create_topics([NewTopic(settings.alerts_topic, 4, 1)])
    client.close()
    with pytest.raises(BrokerError, match=r"K006.*has 4 partitions, settings say 2"):
        ensure_topics(settings)
    assert ensure_topics(settings, recreate=True)[settings.alerts_topic] == 2


def test_recent_reads_only_the_window_across_days(tmp_path: Path) -> None:
    now = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    archive = ArticleArchive(tmp_path)
    ages_h = [50, 20, 3, 0.5]  # hours before now
    for i, age in enumerate(ages_h):
        fetched = now - timedelta(hours=age)
        archive.append(Article(id=f"w{i}", title="t", text="x", fetched=fetched), when=fetched)
    archive.close()
    got = [a.id for a in recent(tmp_path, now - timedelta(hours=6), until=now)]  # type: ignore[union-attr]
    assert got == ["w2", "w3"]  # w2 is in yesterday's file, w3 in today's
    assert [a.id for a in recent(tmp_path, now - timedelta(hours=30), until=now)] == [
        "w1",
        "w2",
        "w3",
    ]  # type: ignore[union-attr]
