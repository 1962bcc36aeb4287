"""The same input gives the same alerts through eval (in-process), replay and the live job."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

from borderwatch.connectors.files import Archive
from borderwatch.core.models import Article
from borderwatch.runtime.broker import free_port
from borderwatch.streams.detect import Detector, build_alerts
from tests.support.fixtures import ROOT, cli_env, interruptible
from tests.support.waiting import wait_until

SAMPLES = ROOT / "samples" / "archive.jsonl"


def key(alert: dict[str, object]) -> tuple[object, ...]:
    article = alert["article"]
    evidence = alert["evidence"]
    assert isinstance(article, dict) and isinstance(evidence, dict)
    return (article["id"], alert["category"], alert["rule_id"], evidence["sentence"],
            alert["rules_version"], json.dumps(alert["facts"], sort_keys=True))  # fmt: skip


def read(path: Path) -> set[tuple[object, ...]]:
    if not path.is_file():
        return set()
    return {key(json.loads(line)) for line in path.read_text().splitlines() if line.strip()}


def test_eval_replay_and_live_agree(detector: Detector, tmp_path: Path) -> None:
    articles = [a for a in Archive([SAMPLES]).read() if isinstance(a, Article)]
    in_process = {
        key(json.loads(alert.model_dump_json(exclude_none=True)))
        for analysis in detector.analyse_many(articles)
        for alert in build_alerts(
            analysis.article, analysis.facts, analysis.hits, detector.rules.version
        )
    }
    assert len(in_process) >= 9

    replayed = tmp_path / "replay.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "borderwatch", "replay", str(SAMPLES), "--jsonl", str(replayed)],
        cwd=ROOT, env=cli_env(tmp_path / "r", free_port()), capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert read(replayed) == in_process

    live_out = tmp_path / "live.jsonl"
    env = cli_env(tmp_path / "l", free_port())
    env["BORDERWATCH_JSONL_PATH"] = str(live_out)
    live = subprocess.Popen(
        [sys.executable, "-m", "borderwatch", "run", str(SAMPLES)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        preexec_fn=interruptible,
    )  # fmt: skip
    try:
        assert wait_until(lambda: len(read(live_out)) >= len(in_process), timeout=180)
    finally:
        live.send_signal(signal.SIGINT)
        live.wait(timeout=60)
    assert read(live_out) == in_process
