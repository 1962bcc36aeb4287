"""A replay to Slack keeps the delivery ledger: an alert once posted is never posted again.

Story threads alone do not prevent a second post: once a story's window has passed, a
repeated ``replay --to-slack`` of the same archive would post every alert again. Here the
articles are undated (their time is when the replay reads them) and the window is a
millisecond, so every story of the first replay has closed before the second one reads them.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from borderwatch.runtime.broker import free_port
from tests.support.fakeslack import FakeSlack
from tests.support.fixtures import ROOT, cli_env

SAMPLES = ROOT / "samples" / "archive.jsonl"


def test_a_replay_repeated_after_the_story_window_posts_nothing(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    archive = tmp_path / "undated.jsonl"
    undated = [json.loads(line) for line in SAMPLES.read_text().splitlines() if line.strip()]
    for article in undated:
        article.pop("published", None)
        article.pop("fetched", None)
    archive.write_text("".join(json.dumps(a) + "\n" for a in undated))
    env = cli_env(tmp_path, free_port())
    env.update(
        BORDERWATCH_SLACK_TOKEN="xoxb-replay-ledger",
        BORDERWATCH_SLACK_CHANNEL="#border-alerts",  # by name, as .env.example gives it
        BORDERWATCH_SLACK_BASE_URL=fake_slack.base_url,
        BORDERWATCH_STORY_WINDOW_S="0.001",
        BORDERWATCH_SLACK_RATE_PER_CHANNEL="50",
    )

    def replay() -> str:
        proc = subprocess.run(
            [sys.executable, "-m", "borderwatch", "replay", str(archive), "--to-slack"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr[-3000:]
        return proc.stdout

    first = replay()
    posted = [p for p in fake_slack.posts() if p.ts]
    assert len(posted) >= 9, first  # the sample archive's alerts reached Slack
    assert "delivery failures" not in first
    calls = len(fake_slack.calls)

    second = replay()
    assert len(fake_slack.calls) == calls, "the second replay called Slack (posts or updates)"
    already = re.search(r"already delivered: slack\W+(\d+)", second)
    assert already is not None and int(already.group(1)) == len(posted), second
    assert re.search(r"alerts in all\W+(\d+)", second)  # the summary still counts them
