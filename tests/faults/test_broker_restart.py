"""The embedded broker killed under a live ``borderwatch run``, twice.

The first kill comes right after the feed's articles were accepted (archived), before the
worker has processed them: the broker comes back empty, and the run must re-drive them from
the archive. The second kill comes after their alerts were delivered: the re-drive sends them
again, and the ledger must keep every alert to one delivery. The job itself never restarts.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from borderwatch.runtime.broker import free_port, wait_for_port
from tests.support.fixtures import ROOT, cli_env
from tests.support.waiting import wait_until

ITEMS = [
    (
        "r1",
        "Guards shoot at crossing",
        "Border guards opened fire on a group of migrants at "
        "the river crossing into Poland on Tuesday, wounding two men, police said.",
    ),
    (
        "r2",
        "Crossing closed",
        "Hungary closed its border crossing with Serbia on Monday "
        "after clashes, the interior ministry said.",
    ),
    (
        "r3",
        "Guards shoot near fence",
        "Soldiers fired on people trying to cross the border "
        "fence from Belarus into Lithuania overnight, injuring four of them, officials said.",
    ),
]
LATE = ("r4", "Crossing reopens for refugees", "Croatia reopened its main border crossing "
        "with Bosnia on Friday so that hundreds of stranded refugees could pass, officials said.")  # fmt: skip


def _feed(items: list[tuple[str, str, str]]) -> str:
    entries = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title>"
        f"<link>https://example.org/{guid}</link><description>{text}</description></item>"
        for guid, title, text in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>{entries}</channel></rss>'


def _broker_pid(port: int) -> int | None:
    """The Tansu process listening on ``port`` (its command line names the listener)."""
    needle = f"tcp://127.0.0.1:{port}".encode()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"tansu" in cmdline and needle in cmdline:
                return int(entry.name)
    return None


def _archived(data: Path) -> int:
    count = 0
    for path in (data / "archive").rglob("*.jsonl.gz"):
        try:
            with gzip.open(path, "rt") as fh:
                count += sum(1 for _ in fh)
        except (OSError, EOFError):
            pass  # being written
    return count


def _metric(port: int, name: str) -> float:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
        for line in resp.read().decode().splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
    return 0.0


def test_broker_killed_twice_every_alert_once(http_dir: tuple[str, Path], tmp_path: Path) -> None:
    base, root = http_dir
    (root / "feed.xml").write_text(_feed(ITEMS), encoding="utf-8")
    port, metrics_port = free_port(), free_port()
    out = tmp_path / "alerts.jsonl"
    data = tmp_path / "data"
    env = cli_env(tmp_path, port)
    env.update(
        BORDERWATCH_FEEDS=json.dumps([f"{base}/feed.xml"]),
        BORDERWATCH_FEEDS_ALLOW='["127.0.0.1"]',
        BORDERWATCH_POLL_INTERVAL_S="1",
        BORDERWATCH_ARTICLES_PARTITIONS="1",  # one order: the re-drive is ahead of later news
        BORDERWATCH_ALERTS_PARTITIONS="1",
        BORDERWATCH_JSONL_PATH=str(out),
        BORDERWATCH_CONSOLE="false",
        BORDERWATCH_METRICS_PORT=str(metrics_port),
    )
    log = tmp_path / "run.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "borderwatch", "run"], cwd=ROOT, env=env,
        stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip

    def lines() -> list[dict[str, object]]:
        return [json.loads(x) for x in out.read_text().splitlines()] if out.exists() else []

    def urls() -> set[str]:
        return {str(a["article"]["url"]) for a in lines()}  # type: ignore[index]

    def kill_broker() -> None:
        pid = _broker_pid(port)
        assert pid is not None, log.read_text()[-3000:]
        os.kill(pid, signal.SIGKILL)

    try:
        assert wait_until(lambda: _archived(data) >= len(ITEMS), timeout=120), log.read_text()
        kill_broker()
        assert not lines(), "alerts arrived before the kill: the first kill proved nothing"
        first = {f"https://example.org/{g}" for g, _, _ in ITEMS}
        assert wait_until(lambda: first <= urls(), timeout=240), log.read_text()[-4000:]
        assert _metric(metrics_port, "borderwatch_embedded_broker_restarts_total") == 1

        redriven = _metric(metrics_port, "borderwatch_redriven_articles_total")
        kill_broker()
        assert wait_until(lambda: _metric(metrics_port, "borderwatch_redriven_articles_total")
                          >= redriven + len(ITEMS), timeout=120), log.read_text()[-4000:]  # fmt: skip
        assert wait_for_port("127.0.0.1", port, deadline=float("inf"))
        (root / "feed.xml").write_text(_feed([*ITEMS, LATE]), encoding="utf-8")
        late = f"https://example.org/{LATE[0]}"
        assert wait_until(lambda: late in urls(), timeout=240), log.read_text()[-4000:]
        assert proc.poll() is None, log.read_text()[-4000:]
        assert _metric(metrics_port, "borderwatch_embedded_broker_restarts_total") == 2
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=90)
    assert code == 0, log.read_text()[-4000:]
    ids = [str(a["alert_id"]) for a in lines()]
    assert len(ids) == len(set(ids)), f"an alert was delivered twice: {sorted(ids)}"
    assert _broker_pid(port) is None, "the embedded broker outlived the job"
