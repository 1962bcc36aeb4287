"""JSON log lines carry the alert and article ids a log shipper needs."""

from __future__ import annotations

import json
import logging

import pytest
from pydantic import SecretStr

from borderwatch.logjson import JsonFormatter
from notifiers.routing import ChannelRateLimiter
from notifiers.runner import Dispatcher
from notifiers.slack import SlackNotifier
from tests.factories import make_alert
from tests.fakeslack import FakeSlack


def test_a_failed_delivery_logs_one_json_line_with_ids(
    fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    fake_slack.error_next("channel_not_found")
    slack = SlackNotifier(SecretStr("xoxb-json-log-secret"), "#ops", fake_slack.base_url,
                          max_retries=0, limiter=ChannelRateLimiter(1000))  # fmt: skip
    caplog.set_level(logging.ERROR, logger="notifiers.runner")
    Dispatcher([slack]).handle(make_alert().to_bytes(), 0)
    (record,) = [r for r in caplog.records if r.name == "notifiers.runner"]
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "error" and line["alert_id"] == "a1" and line["sink"] == "slack"
    assert line["article_id"] == "x" and "channel_not_found" in line["message"]
    assert "xoxb-json-log-secret" not in json.dumps(line)
