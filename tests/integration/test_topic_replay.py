"""Replay from a topic by the records' own time, on the embedded broker (whose
offsets_for_times answers with its receive time, so it can only be a hint)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from borderwatch.connectors.files import Archive
from borderwatch.connectors.schedule import TimeFilter
from borderwatch.connectors.topic import TopicSource
from borderwatch.core.kafka import ensure_topics, producer
from borderwatch.core.models import Article
from borderwatch.runtime.broker import free_port
from tests.support.fixtures import ROOT, cli_env, cluster_env, isolated_settings


def test_topic_source_selects_by_record_time(kafka: str, tmp_path: Path) -> None:
    settings = isolated_settings(kafka, tmp_path)
    ensure_topics(settings)
    p = producer(settings)
    # published out of order; one has no published time and falls back to its record time
    for i, when in enumerate(["2020-02-01", "2020-03-01", "2020-02-15", None, "2020-01-01"]):
        published = datetime.fromisoformat(when).replace(tzinfo=UTC) if when else None
        art = Article(id=f"t{i}", text="x", published=published)
        p.send(settings.articles_topic, key=art.id.encode(), value=art.to_bytes())
    p.send(settings.articles_topic, key=b"bad", value=b"{not json")
    p.flush()
    p.close()
    since = datetime(2020, 2, 1, tzinfo=UTC)
    until = datetime(2020, 3, 1, tzinfo=UTC)
    time_filter = TimeFilter(since, until)
    source = TopicSource(settings, settings.articles_topic, time_filter, idle_s=3)
    items = list(source.read())
    ids = sorted(i.id for i in items if isinstance(i, Article))
    assert ids == ["t0", "t2"]  # t3's record time is now, t1 is at until (exclusive), t4 early
    problems = [i for i in items if not isinstance(i, Article)]
    assert len(problems) == 1 and "[T001]" in str(problems[0])
    assert (time_filter.outside, time_filter.undated) == (3, 0)  # counted where replay reads


def test_replay_cli_from_topic(kafka: str, tmp_path: Path) -> None:
    live = isolated_settings(kafka, tmp_path)
    ensure_topics(live)
    p = producer(live)
    for art in Archive([ROOT / "samples" / "archive.jsonl"]).read():
        assert isinstance(art, Article)
        p.send(live.articles_topic, key=art.id.encode(), value=art.to_bytes())
    p.flush()
    p.close()
    env = cluster_env(live, tmp_path)
    out = tmp_path / "alerts.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "borderwatch", "replay", "--from-topic", "articles",
         "--since", "2023-01-01", "--until", "2024-01-01", "--jsonl", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    ids = {json.loads(line)["article"]["id"] for line in out.read_text().splitlines()}
    assert ids == {"sample-003", "sample-011"}  # the 2023 positives
    # the summary counts what the time filter skipped, as for a file replay: 3 of 12 are 2023
    assert re.search(r"articles sent\s*│\s*3\b", proc.stdout), proc.stdout
    assert re.search(r"outside --since/--until\s*│\s*9\b", proc.stdout), proc.stdout


def test_from_topic_needs_a_cluster(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "borderwatch", "replay", "--from-topic", "articles"],
        cwd=ROOT, env=cli_env(tmp_path, free_port()), capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert proc.returncode == 1 and "[P003]" in proc.stderr
