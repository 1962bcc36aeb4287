"""JSON log lines carry the alert and article ids a log shipper needs."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr

from borderwatch.core.logjson import JsonFormatter
from borderwatch.notifiers.dispatch import Dispatcher
from borderwatch.notifiers.ledger import Ledger
from borderwatch.notifiers.sinks.slack.notifier import SlackNotifier
from borderwatch.notifiers.sinks.slack.routing import ChannelRateLimiter
from borderwatch.runtime.broker import free_port
from tests.support.factories import make_alert
from tests.support.fakeslack import FakeSlack
from tests.support.fixtures import ROOT


def test_a_failed_delivery_logs_one_json_line_with_ids(
    fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    fake_slack.error_next("channel_not_found")
    slack = SlackNotifier(SecretStr("xoxb-json-log-secret"), "#ops", fake_slack.base_url,
                          max_retries=0, limiter=ChannelRateLimiter(1000))  # fmt: skip
    caplog.set_level(logging.ERROR, logger="borderwatch.notifiers.dispatch")
    Dispatcher([slack], ledger=Ledger.memory()).handle(make_alert().to_bytes(), 0)
    (record,) = [r for r in caplog.records if r.name == "borderwatch.notifiers.dispatch"]
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "error" and line["alert_id"] == "a1" and line["sink"] == "slack"
    assert line["article_id"] == "x" and "channel_not_found" in line["message"]
    assert "xoxb-json-log-secret" not in json.dumps(line)


def test_the_worker_logs_only_json_lines_when_asked(tmp_path: Path) -> None:
    """faust installs a plain-text handler of its own; with BORDERWATCH_LOG_JSON the worker's
    every line (here: failing to reach a closed port) is one JSON object."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BORDERWATCH_")}
    env.update(
        BORDERWATCH_LOG_JSON="1",
        BORDERWATCH_KAFKA_BOOTSTRAP=f"127.0.0.1:{free_port()}",
        BORDERWATCH_DATA_DIR=str(tmp_path),
    )
    proc = subprocess.run([sys.executable, "-m", "borderwatch.streams.worker"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert proc.returncode != 0
    lines = [x for x in (proc.stdout + proc.stderr).splitlines() if x.strip()]
    assert lines
    parsed = [json.loads(x) for x in lines]  # raises on any plain-text line
    assert any(p["level"] == "error" and "Unable to bootstrap" in p["message"] for p in parsed)
