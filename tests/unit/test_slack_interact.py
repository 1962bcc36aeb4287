"""Working in Slack, driven like Slack: the fake posts signed ``block_actions`` payloads (built
from the buttons the parent really carries) to the click endpoint, or sends them over a
local WebSocket standing in for Socket Mode; the tests look at the silence store, the
feedback store, the parent's update and the ephemeral answers."""

from __future__ import annotations

import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from borderwatch.cli import app as cli_app
from borderwatch.core.errors import BorderwatchError, Codes
from borderwatch.core.models import Alert, ArticleRef
from borderwatch.notifiers.feedback import FeedbackStore, Verdict
from borderwatch.notifiers.ledger import DeliveryStatus
from borderwatch.notifiers.sinks.slack.interact import (
    ACK,
    CATEGORY,
    NOT_RELEVANT,
    SILENCE,
    UnknownAction,
    parse_click,
)
from borderwatch.notifiers.sinks.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from borderwatch.runtime.broker import free_port
from borderwatch.runtime.interact import Outcome, clicks_served
from tests.support.factories import make_alert
from tests.support.fakeslack import FakeSlack
from tests.support.fakesocket import FakeSocketMode
from tests.support.fixtures import ROOT
from tests.support.slackdesk import (
    DESK,
    LEAD,
    OPS,
    Desk,
    desk,
    nothing_happened,
    outcome,
    parent,
    settings_for,
    shown,
)
from tests.support.waiting import wait_until


def report(n: int, source: str = "Wire A") -> Alert:
    base = make_alert(title=f"Guards fire on migrants at the fence ({source})")
    article = ArticleRef(id=f"x{n}", url=f"https://example.org/{n}", title=base.article.title,
                         source=source)  # fmt: skip
    return base.model_copy(update={"alert_id": f"a{n}", "article": article})


def test_every_parent_carries_the_buttons_and_an_acknowledgement_shows_on_it(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    with desk(fake_slack, tmp_path) as (d, clicks):
        d.deliver(report(1))
        channel, ts = parent(fake_slack)
        blocks = fake_slack.message_blocks(channel, ts)
        (actions,) = [b for b in blocks if b["type"] == "actions"]
        ids = [e["action_id"] for e in actions["elements"]]
        assert ids == [ACK, SILENCE, NOT_RELEVANT, CATEGORY]
        categories = [o["value"] for o in actions["elements"][3]["options"]]
        assert "border_shooting" not in categories and "border_closure" in categories

        payload = fake_slack.block_actions(channel, ts, ACK, user=OPS)
        assert fake_slack.send_click(d.endpoint, payload) == 200
        assert outcome(clicks) == Outcome.DONE
        (click,) = d.feedback.all()
        assert (click.verdict, click.user_id, click.article_id) == (Verdict.acknowledged, OPS, "x1")
        assert click.story_id == actions["block_id"].removeprefix("bw_story:")
        (update,) = fake_slack.by_method("chat.update")
        assert update.body["ts"] == ts
        assert f"Acknowledged by <@{OPS}>" in shown(fake_slack, channel, ts)
        # the same click delivered again is one click
        assert fake_slack.send_click(d.endpoint, payload) == 200
        assert outcome(clicks) == Outcome.DUPLICATE
        assert len(d.feedback.all()) == 1


def test_bad_signature_and_stale_timestamp_are_401_and_nothing_is_done(
    fake_slack: FakeSlack, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with desk(fake_slack, tmp_path) as (d, clicks):
        d.deliver(report(1))
        channel, ts = parent(fake_slack)
        payload = fake_slack.block_actions(channel, ts, SILENCE, user=LEAD, option="6h")
        url = d.endpoint
        assert fake_slack.send_click(url, payload, secret="not-the-secret") == 401
        assert fake_slack.send_click(url, payload, timestamp=int(time.time()) - 301) == 401
        assert fake_slack.send_click(url, payload, timestamp=int(time.time()) + 3600) == 401
        assert nothing_happened(clicks)
        assert d.silences.all() == [] and d.feedback.all() == []
        assert fake_slack.by_method("chat.update") == [] and fake_slack.answers() == []
        refused = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
        assert any("bad signature" in m for m in refused) and any("old" in m for m in refused)
        assert not any(fake_slack.signing_secret in r.getMessage() for r in caplog.records)


def test_silence_story_by_an_allowed_user_holds_its_next_reports(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    with desk(fake_slack, tmp_path) as (d, clicks):
        d.deliver(report(1))
        channel, ts = parent(fake_slack)
        payload = fake_slack.block_actions(channel, ts, SILENCE, user=LEAD, option="6h")
        assert fake_slack.send_click(d.endpoint, payload) == 200
        assert outcome(clicks) == Outcome.DONE
        (silence,) = d.silences.active()
        story_id = d.feedback.all()[0].story_id
        assert silence.matchers == {"story": story_id}
        assert 6 * 3600 - 5 <= silence.ends_at - silence.created_at <= 6 * 3600
        assert d.feedback.all()[0].silence_id == silence.silence_id
        (answer,) = fake_slack.answers()
        assert answer["response_type"] == "ephemeral" and silence.silence_id in answer["text"]
        assert f"Silenced for 6 h by <@{LEAD}>" in shown(fake_slack, channel, ts)

        posts = len(fake_slack.posts())
        d.deliver(report(2, "Wire B"))  # same story: held, not posted, still filed
        assert len(fake_slack.posts()) == posts
        record = d.ledger.get("a2", "slack")
        assert record is not None and record.status is DeliveryStatus.SILENCED
        kept = d.ledger.get("a2", "jsonl")
        assert kept is not None and kept.status is DeliveryStatus.DELIVERED
        assert d.slack.stories is not None
        story = d.slack.stories.get(story_id)
        assert story is not None and story.alert_ids == ["a1", "a2"]  # filed quietly
        other = report(3).model_copy(update={"category": "border_closure", "alert_id": "c3"})
        d.deliver(other)  # another story is not silenced
        assert len(fake_slack.posts()) == posts + 1


def test_a_user_group_member_may_silence_and_others_are_told_no(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    fake_slack.usergroups["S0DESK"] = [DESK]
    with desk(fake_slack, tmp_path) as (d, clicks):
        d.deliver(report(1))
        channel, ts = parent(fake_slack)
        no = fake_slack.block_actions(channel, ts, SILENCE, user=OPS, option="24h")
        assert fake_slack.send_click(d.endpoint, no) == 200
        assert outcome(clicks) == Outcome.NOT_ALLOWED
        assert d.silences.all() == [] and d.feedback.all() == []
        (answer,) = fake_slack.answers()
        assert answer["response_type"] == "ephemeral" and "not allowed" in answer["text"]
        assert answer["path"] == "/response/" + no["response_url"].rsplit("/", 1)[-1]
        assert fake_slack.by_method("chat.update") == []

        yes = fake_slack.block_actions(channel, ts, SILENCE, user=DESK, option="quiet")
        assert fake_slack.send_click(d.endpoint, yes) == 200
        assert outcome(clicks) == Outcome.DONE
        (silence,) = d.silences.active()
        assert silence.ends_at - silence.created_at > 7 * 86400  # until the story goes quiet
        assert "until it goes quiet" in shown(fake_slack, channel, ts)


def test_unknown_action_and_unknown_story_are_answered_and_change_nothing(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    with desk(fake_slack, tmp_path) as (d, clicks):
        d.deliver(report(1))
        channel, ts = parent(fake_slack)
        action = {"action_id": "bw_launch", "block_id": "bw_story:0123456789abcdef0123",
                  "type": "button", "value": "x", "action_ts": "1.0"}  # fmt: skip
        payload = fake_slack.payload(channel, ts, [action], OPS)
        assert fake_slack.send_click(d.endpoint, payload) == 200
        assert outcome(clicks) == Outcome.UNKNOWN_ACTION
        gone = dict(action, action_id=ACK)
        payload = fake_slack.payload(channel, ts, [gone], OPS)
        assert fake_slack.send_click(d.endpoint, payload) == 200
        assert outcome(clicks) == Outcome.UNKNOWN_STORY
        first, second = fake_slack.answers()
        assert "does not know this button" in first["text"]
        assert "no longer knows this story" in second["text"]
        assert d.feedback.all() == [] and d.silences.all() == []
        assert fake_slack.by_method("chat.update") == []


def test_a_click_on_a_parent_from_a_previous_run_still_works(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    earlier = Desk(settings_for(fake_slack, tmp_path))
    earlier.deliver(report(1))
    earlier.close()  # that run is over; its stories stay on disk
    channel, ts = parent(fake_slack)
    with desk(fake_slack, tmp_path) as (d, clicks):
        payload = fake_slack.block_actions(channel, ts, CATEGORY, user=OPS,
                                           option="border_closure")  # fmt: skip
        assert fake_slack.send_click(d.endpoint, payload) == 200
        assert outcome(clicks) == Outcome.DONE
        (click,) = d.feedback.all()
        assert (click.verdict, click.detail) == (Verdict.wrong_category, "border_closure")
        assert click.category == "border_shooting" and click.title.startswith("Guards fire")
        assert "category should be border closure" in shown(fake_slack, channel, ts)


def test_after_an_acknowledgement_the_escalation_is_not_broadcast(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    with desk(fake_slack, tmp_path, escalate_sources=2, slack_reply_gap_s=0) as (d, clicks):
        d.deliver(report(1, "Wire A"))
        channel, ts = parent(fake_slack)
        payload = fake_slack.block_actions(channel, ts, ACK, user=OPS)
        assert fake_slack.send_click(d.endpoint, payload) == 200
        assert outcome(clicks) == Outcome.DONE
        d.deliver(report(2, "Wire B"))  # the second source escalates the story
        reply = fake_slack.posts()[-1]
        assert reply.body.get("thread_ts") == ts
        assert not reply.body.get("reply_broadcast")
        text = shown(fake_slack, channel, ts)
        assert "ESCALATED" in text and f"Acknowledged by <@{OPS}>" in text


def test_not_relevant_reaches_the_jsonl_file_as_an_event(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    with desk(fake_slack, tmp_path) as (d, clicks):
        d.deliver(report(1))
        channel, ts = parent(fake_slack)
        payload = fake_slack.block_actions(channel, ts, NOT_RELEVANT, user=OPS)
        assert fake_slack.send_click(d.endpoint, payload) == 200
        assert outcome(clicks) == Outcome.DONE
        lines = [json.loads(x) for x in (tmp_path / "alerts.jsonl").read_text().splitlines()]
        assert [x["type"] for x in lines] == ["alert", "feedback"]
        event = lines[1]
        assert event["verdict"] == "not_relevant" and event["alert_id"] == "a1"
        assert event["user_id"] == OPS
        assert f"<@{OPS}>: not relevant" in shown(fake_slack, channel, ts)


def test_socket_mode_clicks_are_acknowledged_then_handled(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    socket = FakeSocketMode()
    fake_slack.socket_url = socket.url
    try:
        settings = dict(slack_signing_secret=None, interact_port=0,
                        slack_app_token="xapp-1-A0FAKE-test")  # fmt: skip
        with desk(fake_slack, tmp_path, **settings) as (d, clicks):
            assert socket.connected.wait(10)
            d.deliver(report(1))
            channel, ts = parent(fake_slack)
            assert any(b["type"] == "actions" for b in fake_slack.message_blocks(channel, ts))
            envelope = socket.send(fake_slack.block_actions(channel, ts, ACK, user=OPS))
            assert socket.wait_ack(envelope)
            assert outcome(clicks) == Outcome.DONE
            assert d.feedback.all()[0].verdict is Verdict.acknowledged
            assert f"Acknowledged by <@{OPS}>" in shown(fake_slack, channel, ts)
            no = socket.send(fake_slack.block_actions(channel, ts, SILENCE, user=OPS,
                                                      option="6h"))  # fmt: skip
            assert socket.wait_ack(no)
            assert outcome(clicks) == Outcome.NOT_ALLOWED
            assert "not allowed" in fake_slack.answers()[-1]["text"]
    finally:
        socket.close()


def test_payloads_that_are_not_ours_are_refused_by_the_parser() -> None:
    with pytest.raises(UnknownAction):
        parse_click({"type": "block_actions", "actions": [{"action_id": "x"}]})
    choice = {"action_id": SILENCE, "block_id": "bw_story:0123456789abcdef0123",
              "selected_option": {"value": "forever"}}  # fmt: skip
    with pytest.raises(UnknownAction):
        parse_click({"type": "block_actions", "actions": [choice], "user": {"id": OPS}})


def test_interact_runs_as_its_own_service_on_the_shared_state(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    earlier = Desk(settings_for(fake_slack, tmp_path))
    earlier.deliver(report(1))  # the notifier (another process) posted the parent
    earlier.close()
    channel, ts = parent(fake_slack)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BORDERWATCH_")}
    port = free_port()
    env.update(BORDERWATCH_DATA_DIR=str(tmp_path), BORDERWATCH_SLACK_TOKEN="xoxb-interact",
               BORDERWATCH_SLACK_CHANNEL="#ops", BORDERWATCH_SLACK_BASE_URL=fake_slack.base_url,
               BORDERWATCH_SLACK_SIGNING_SECRET=fake_slack.signing_secret,
               BORDERWATCH_INTERACT_PORT=str(port))  # fmt: skip
    proc = subprocess.Popen([sys.executable, "-m", "borderwatch", "interact"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert (
            f"answering Slack clicks: HTTP endpoint http://127.0.0.1:{port}/slack/actions" in line
        )
        payload = fake_slack.block_actions(channel, ts, ACK, user=OPS)
        url = f"http://127.0.0.1:{port}/slack/actions"
        assert fake_slack.send_click(url, payload) == 200
        assert wait_until(lambda: bool(fake_slack.by_method("chat.update")), 30)
        assert f"Acknowledged by <@{OPS}>" in shown(fake_slack, channel, ts)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert proc.returncode == 0
    (click,) = FeedbackStore(tmp_path / "state" / "feedback.sqlite3").all()
    assert click.user_id == OPS and click.verdict is Verdict.acknowledged


def test_interact_without_slack_or_a_way_in_says_what_is_missing(tmp_path: Path) -> None:
    env = {"BORDERWATCH_DATA_DIR": str(tmp_path)}
    runner = CliRunner()
    missing = runner.invoke(cli_app, ["interact"], env=env)
    assert (
        missing.exit_code == 1 and "[L001] interact needs BORDERWATCH_SLACK_TOKEN" in missing.output
    )
    env.update(BORDERWATCH_SLACK_TOKEN="xoxb-x", BORDERWATCH_SLACK_CHANNEL="#ops")
    no_way = runner.invoke(cli_app, ["interact"], env=env)
    assert no_way.exit_code == 1 and "[L002]" in no_way.output


def test_the_webhook_carries_the_clicks_as_signed_events(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    received: list[tuple[dict[str, str], bytes]] = []

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers.items()), body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hook = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        with desk(fake_slack, tmp_path, webhook_url=hook, webhook_secret="whsec-events") as (
            d, clicks,
        ):  # fmt: skip
            d.deliver(report(1))
            channel, ts = parent(fake_slack)
            payload = fake_slack.block_actions(channel, ts, SILENCE, user=LEAD, option="24h")
            assert fake_slack.send_click(d.endpoint, payload) == 200
            assert outcome(clicks) == Outcome.DONE
    finally:
        server.shutdown()
        server.server_close()
    (_, alert_body), (headers, body) = received
    assert json.loads(alert_body)["type"] == "alert"
    event = json.loads(body)
    assert event["type"] == "silence" and event["detail"] == "24h" and event["user_id"] == LEAD
    assert event["silence_id"] == d.silences.all()[0].silence_id and "ends_at" in event
    assert verify("whsec-events", headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER])


def test_socket_mode_with_a_refused_token_is_a_problem_not_a_hang(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    d = Desk(settings_for(fake_slack, tmp_path, slack_signing_secret=None, interact_port=0,
                          slack_app_token="xoxp-not-an-app-token"))  # fmt: skip
    with pytest.raises(BorderwatchError) as caught, clicks_served(d.settings, d.notifiers):
        pass
    assert caught.value.problems[0].code == Codes.L004.code and "invalid_auth" in str(caught.value)
    d.close()
