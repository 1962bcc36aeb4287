"""Secrets never appear in output, logs, reprs or state files, even when everything is used."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from borderwatch.core.settings import Settings
from borderwatch.runtime.broker import free_port
from tests.support.fakeslack import FakeSlack
from tests.support.fixtures import ROOT, cli_env

TOKEN = "xoxb-SECRET-3141592653-do-not-print"
HOOK_SECRET = "whsec-SECRET-2718281828"


def test_settings_repr_and_child_env_hide_secrets() -> None:
    s = Settings(slack_token=TOKEN, webhook_secret=HOOK_SECRET)
    for text in (repr(s), str(s), str(s.model_dump()), str(s.child_env())):
        assert TOKEN not in text and HOOK_SECRET not in text


def test_a_full_replay_to_slack_never_prints_the_token(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    env = cli_env(tmp_path, free_port())
    env.update(
        BORDERWATCH_SLACK_TOKEN=TOKEN,
        BORDERWATCH_SLACK_CHANNEL="#ops",
        BORDERWATCH_SLACK_BASE_URL=fake_slack.base_url,
        BORDERWATCH_WEBHOOK_URL=f"{fake_slack.base_url}hook",  # the fake answers any POST
        BORDERWATCH_WEBHOOK_SECRET=HOOK_SECRET,
    )
    proc = subprocess.run(
        [sys.executable, "-m", "borderwatch", "-v", "replay", "samples/archive.jsonl",
         "--to-slack", "--jsonl", str(tmp_path / "alerts.jsonl")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert fake_slack.posts(), "nothing reached Slack: the test would prove nothing"
    # the token did travel, in the Authorization header, to Slack itself; the webhook got a
    # signature made with its secret, never the secret
    assert any(TOKEN in c.headers.get("Authorization", "") for c in fake_slack.calls)
    hooks = [c for c in fake_slack.calls if c.method == "hook"]
    assert hooks and all(c.headers["X-Borderwatch-Signature"].startswith("sha256=") for c in hooks)
    assert not any(HOOK_SECRET in str(c.headers) + str(c.body) for c in fake_slack.calls)
    outputs = [proc.stdout, proc.stderr]
    outputs += [p.read_text(errors="replace") for p in (tmp_path / "data").rglob("*")
                if p.is_file() and p.suffix in (".log", ".jsonl", "")]  # fmt: skip
    outputs += [p.read_bytes().decode("latin-1") for p in (tmp_path / "data").rglob("*.sqlite3*")]
    outputs.append((tmp_path / "alerts.jsonl").read_text())
    for text in outputs:
        assert TOKEN not in text and HOOK_SECRET not in text
