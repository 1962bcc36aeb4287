"""End to end through the real broker (Tansu), a real faust worker process, spaCy and slack_sdk."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
from pathlib import Path

from borderwatch.connectors.feeds import FeedUrl
from borderwatch.connectors.http import FetchPolicy
from borderwatch.connectors.producer import ArticleWriter
from borderwatch.core.kafka import ensure_topics
from borderwatch.notifiers.dispatch import Dispatcher, consume_alerts
from borderwatch.notifiers.ledger import Ledger
from borderwatch.notifiers.sinks.slack.notifier import SlackNotifier
from borderwatch.runtime.broker import free_port, wait_for_port
from borderwatch.runtime.cluster import stream_worker
from tests.support.fakeslack import FakeSlack
from tests.support.fixtures import (
    ROOT,
    cli_env,
    cluster_env,
    interruptible,
    isolated_settings,
    our_processes,
)
from tests.support.waiting import wait_until

FEED = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Loopback Wire</title>
<item><guid>e2e-1</guid><title>Guards fire on migrants at the fence</title>
<link>https://example.org/e2e-1</link>
<description>Border guards opened fire on migrants who tried to cross the fence into
Greece on Sunday, wounding three people, police said.</description></item>
<item><guid>e2e-2</guid><title>Central bank holds rates</title>
<link>https://example.org/e2e-2</link><description>The bank kept its rate at 4 percent.</description></item>
</channel></rss>"""


def test_rss_feed_to_slack_through_broker_and_worker(
    kafka: str, http_dir: tuple[str, Path], fake_slack: FakeSlack, tmp_path: Path
) -> None:
    base, root = http_dir
    (root / "feed.xml").write_text(FEED, encoding="utf-8")
    settings = isolated_settings(
        kafka,
        tmp_path,
        slack_token="xoxb-e2e-token",
        slack_channel="#ops",
        slack_base_url=fake_slack.base_url,
    )
    ensure_topics(settings)
    with stream_worker(settings) as worker:
        writer = ArticleWriter(settings)
        items = list(FeedUrl(f"{base}/feed.xml", FetchPolicy(allow=("127.0.0.1",))).read())
        for item in items:
            writer.send(item)  # type: ignore[arg-type]
        writer.finish()
        writer.close()
        assert sum(writer.counts.values()) == 2

        assert settings.slack_token is not None
        slack = SlackNotifier(settings.slack_token, "#ops", fake_slack.base_url)
        dispatcher = Dispatcher([slack], ledger=Ledger.memory())
        stop = threading.Event()
        consumer = threading.Thread(
            target=consume_alerts,
            args=(settings, dispatcher, f"{settings.app_id}-notifier"),
            kwargs={"stop": lambda: stop.is_set() or worker.poll() is not None},
        )
        consumer.start()
        try:
            delivered = wait_until(lambda: bool(fake_slack.posts()), timeout=180)
        finally:
            stop.set()
            consumer.join(timeout=30)
        assert worker.poll() is None, "the worker died"
    assert delivered, "no chat.postMessage reached the fake Slack"
    posts = fake_slack.posts()
    assert any("border shooting" in p.body["text"] for p in posts)
    # Only the shooting article alerts, once per category; the bank story never does.
    assert all("Guards fire on migrants" in p.body["text"] for p in posts)
    assert len({p.body["text"].split(":")[0] for p in posts}) == len(posts)
    assert {p.body["channel"] for p in posts} == {"#ops"}


def test_replay_cli_prints_alerts_and_leaves_nothing_running(tmp_path: Path) -> None:
    port = free_port()
    out = tmp_path / "alerts.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "borderwatch", "replay", "samples/archive.jsonl",
         "--jsonl", str(out)],
        cwd=ROOT, env=cli_env(tmp_path, port), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    alerts = [json.loads(line) for line in out.read_text().splitlines()]
    got = {(a["article"]["id"], a["category"]) for a in alerts}
    expected = {
        ("sample-001", "border_opening"),
        ("sample-001", "troop_casualties"),
        ("sample-002", "border_shooting"),
        ("sample-003", "border_closure"),
        ("sample-004", "border_closure"),
        ("sample-005", "border_opening"),
        ("sample-006", "border_shooting"),
        ("sample-011", "troop_casualties"),
        ("sample-012", "border_closure"),
    }
    assert expected <= got
    negatives = {"sample-007", "sample-008", "sample-009", "sample-010"}
    assert not {a for a, _ in got} & negatives
    assert "Summary" in proc.stdout and "articles sent" in proc.stdout
    assert "border shooting" in proc.stdout  # the console notifier printed the alerts
    assert not wait_for_port("127.0.0.1", port, deadline=0)
    assert our_processes(str(tmp_path)) == []


def test_run_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    env = cli_env(tmp_path, port)
    proc = subprocess.Popen(
        [sys.executable, "-m", "borderwatch", "run", "samples/archive.jsonl"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        preexec_fn=interruptible,
    )  # fmt: skip
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")))  # type: ignore[union-attr]
    reader.start()
    try:
        assert wait_until(lambda: any("border" in ln for ln in lines), timeout=180), lines
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=60)
        reader.join(timeout=10)
    assert code == 0, "".join(lines)[-3000:]
    assert not wait_for_port("127.0.0.1", port, deadline=0)
    assert wait_until(lambda: our_processes(str(tmp_path)) == [], timeout=10)


def test_failed_alert_goes_to_alerts_dlq_with_reason(kafka: str, tmp_path: Path) -> None:
    from borderwatch.core.kafka import consumer
    from borderwatch.notifiers.dlq import AlertDlq
    from tests.support.factories import make_alert

    settings = isolated_settings(kafka, tmp_path)
    ensure_topics(settings)
    dlq = AlertDlq(settings)
    dlq(make_alert(), "slack", "SlackApiError: fatal_error")
    dlq.close()
    c = consumer(settings, f"{settings.app_id}-dlq-test", settings.alerts_dlq_topic)
    got: list[dict[str, object]] = []
    try:
        wait_until(
            lambda: bool(got.extend(json.loads(r.value) for rs in c.poll(timeout_ms=500).values()
                                    for r in rs) or got),
            timeout=60,
        )  # fmt: skip
    finally:
        c.close()
    (record,) = got
    assert record["sink"] == "slack" and record["reason"] == "SlackApiError: fatal_error"
    assert record["alert"]["alert_id"] == "a1"  # type: ignore[index]


def test_replay_time_window_and_isolation_from_live(kafka: str, tmp_path: Path) -> None:
    """--since/--until select by published time; the replay uses its own topics, so a live
    notifier on the same cluster sees nothing of it."""
    from borderwatch.core.kafka import consumer

    live = isolated_settings(kafka, tmp_path)
    ensure_topics(live)
    out = tmp_path / "alerts.jsonl"
    env = cluster_env(live, tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "borderwatch", "replay", "samples/archive.jsonl",
         "--since", "2020-01-01", "--until", "2021-12-31", "--jsonl", str(out),
         "--report", str(tmp_path / "replay.html")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    ids = {json.loads(line)["article"]["id"] for line in out.read_text().splitlines()}
    assert ids == {"sample-001", "sample-004", "sample-006"}
    assert "outside --since/--until" in proc.stdout
    page = (tmp_path / "replay.html").read_text()
    assert "<svg" in page and "Borderwatch replay" in page
    assert "Turkey stops holding back refugees" in page  # sample-001, in the window
    assert "Chad shuts its eastern frontier" not in page  # sample-003, after it
    # nothing reached the live topics
    c = consumer(live, f"{live.app_id}-live-check", live.articles_topic, live.alerts_topic)
    try:
        seen = sum(len(rs) for _ in range(6) for rs in c.poll(timeout_ms=500).values())
    finally:
        c.close()
    assert seen == 0
    # the replay removed its own topics from the shared cluster
    from borderwatch.core.kafka import admin

    client = admin(live)
    try:
        leftovers = [t for t in client.list_topics() if t.startswith(f"{live.topic_prefix}replay-")]
    finally:
        client.close()
    assert leftovers == []


def test_replay_reads_every_source_kind(tmp_path: Path) -> None:
    """A directory with a gzip JSONL archive, a text file and an RSS snapshot."""
    import gzip

    src = tmp_path / "sources"
    src.mkdir()
    line = {"id": "gz-1", "title": "Guards fire on migrants at the river",
            "text": "Border guards opened fire on migrants crossing the river into Greece."}  # fmt: skip
    (src / "day.jsonl.gz").write_bytes(gzip.compress((json.dumps(line) + "\n").encode()))
    (src / "story.txt").write_text(
        "Chad seals its frontier\n\nChad sealed its eastern border with Sudan on Tuesday.\n",
        encoding="utf-8",
    )
    (src / "feed.xml").write_text(FEED, encoding="utf-8")
    out = tmp_path / "alerts.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "borderwatch", "replay", str(src), "--jsonl", str(out)],
        cwd=ROOT, env=cli_env(tmp_path, free_port()), capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = {(json.loads(x)["article"]["id"], json.loads(x)["category"])
           for x in out.read_text().splitlines()}  # fmt: skip
    ids = {i for i, _ in got}
    assert ("gz-1", "border_shooting") in got and "e2e-1" in ids
    assert any(c == "border_closure" and i not in ("gz-1", "e2e-1") for i, c in got)  # the .txt
