"""Digests: the posted summary against the stories in the store (counts by category and
region, escalations, acknowledged or not, thread links), digest-only routes, the schedule."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from borderwatch.cli import app
from borderwatch.core.models import Alert, ArticleRef, Border, Facts
from borderwatch.core.settings import SlackRoute
from borderwatch.notifiers.sinks.slack.digest import (
    DigestLog,
    Digests,
    DigestSchedule,
    DigestTarget,
    slots,
    target_for,
    targets,
)
from borderwatch.notifiers.sinks.slack.interact import ACK
from borderwatch.runtime.interact import Outcome
from tests.support.factories import make_alert
from tests.support.fakeslack import FakeSlack
from tests.support.slackdesk import OPS, Desk, desk, outcome, parent, settings_for

EDIRNE = Border(countries=["TUR", "GRC"], crossing="pazarkule", name="Pazarkule–Kastanies",
                region="edirne", lat=41.66, lon=26.47)  # fmt: skip
MORNING = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def shooting(n: int, source: str, at: datetime | None = None) -> Alert:
    base = make_alert(title=f"Guards fire on migrants at Pazarkule ({source})")
    article = ArticleRef(id=f"s{n}", url=f"https://example.org/s{n}", title=base.article.title,
                         source=source, published=at)  # fmt: skip
    facts = Facts(countries=["TUR", "GRC"], crossings=["pazarkule"], border=EDIRNE)
    return base.model_copy(update={"alert_id": f"s{n}", "article": article, "facts": facts})


def closure(n: int, at: datetime | None = None) -> Alert:
    base = make_alert(title="Chad seals its border with Sudan")
    article = ArticleRef(id=f"c{n}", title=base.article.title, source="Wire C", published=at)
    return base.model_copy(update={
        "alert_id": f"c{n}", "category": "border_closure", "article": article,
        "facts": Facts(countries=["TCD", "SDN"], border=Border(countries=["TCD", "SDN"])),
    })  # fmt: skip


def test_the_digest_summarises_the_stories_in_the_store(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    with desk(fake_slack, tmp_path, escalate_sources=2, slack_reply_gap_s=0) as (d, clicks):
        for n, source in enumerate(("Wire A", "Wire B", "Wire C"), 1):
            d.deliver(shooting(n, source))  # one story, escalated by the second source
        d.deliver(closure(1))
        channel, ts = parent(fake_slack)
        payload = fake_slack.block_actions(channel, ts, ACK, user=OPS)
        assert fake_slack.send_click(d.endpoint, payload) == 200
        assert outcome(clicks) == Outcome.DONE

    env = {k: v for k, v in os.environ.items() if not k.startswith("BORDERWATCH_")}
    env.update(BORDERWATCH_DATA_DIR=str(tmp_path), BORDERWATCH_SLACK_TOKEN="xoxb-digest",
               BORDERWATCH_SLACK_CHANNEL="#ops", BORDERWATCH_SLACK_BASE_URL=fake_slack.base_url,
               BORDERWATCH_SLACK_RATE_PER_CHANNEL="50", COLUMNS="200")  # fmt: skip
    result = CliRunner().invoke(app, ["digest", "--channel", "#ops", "--since", "12h"], env=env)
    assert result.exit_code == 0, result.output
    assert "2 stories · 4 reports · 1 escalated · 1 not acknowledged" in result.output

    post = fake_slack.posts()[-1]
    assert post.channel_id == fake_slack.channel_id("ops")
    meta = post.body["metadata"]
    meta = json.loads(meta) if isinstance(meta, str) else meta
    assert meta["event_type"] == "borderwatch_digest"
    blocks = post.body["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    closure_text, shooting_text = sections  # categories in order
    assert closure_text.startswith("*border closure*: 1 stories, 1 reports")
    assert "_TCD–SDN_ (1)" in closure_text and "*not acknowledged*" in closure_text
    assert shooting_text.startswith("*border shooting*: 1 stories, 3 reports")
    assert "_Edirne_ (1)" in shooting_text and "3 sources" in shooting_text
    assert "*ESCALATED*" in shooting_text and f"acknowledged by <@{OPS}>" in shooting_text
    # each story links to its thread, as Slack's permalink gives it
    links = fake_slack.by_method("chat.getPermalink")
    parents = {p.ts for p in fake_slack.posts()[:-1] if not p.body.get("thread_ts")}
    assert len(parents) == 2 and {c.body["message_ts"] for c in links} == parents
    assert f"<https://fake.slack.test/archives/{channel}/p{ts}|" in shooting_text


def test_a_digest_only_route_gets_digests_and_no_live_alerts(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    route = SlackRoute(channel="#shootings", categories=["border_shooting"], digest_only=True,
                       digest_at=["07:00", "19:00"])  # fmt: skip
    d = Desk(settings_for(fake_slack, tmp_path, slack_routes=[route]))
    d.deliver(shooting(1, "Wire A"))
    d.deliver(closure(1))
    ops = fake_slack.channel_id("ops")
    assert {p.channel_id for p in fake_slack.posts()} == {ops}  # live alerts go elsewhere
    target = target_for(d.settings, "#shootings")
    assert target.digest_only and target in targets(d.settings)
    digests = Digests(d.slack, d.feedback)
    now = datetime.now(UTC).timestamp()
    made = digests.build(target, now - 3600, now + 60)
    assert [s.category for s in made.stories] == ["border_shooting"]
    digests.post(target, made)
    assert fake_slack.posts()[-1].channel_id == fake_slack.channel_id("shootings")
    d.close()


def test_slots_cover_the_time_since_the_slot_before() -> None:
    at = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    assert slots(("07:00", "19:00"), at) == (
        datetime(2026, 3, 2, 7, 0, tzinfo=UTC), datetime(2026, 3, 1, 19, 0, tzinfo=UTC)
    )  # fmt: skip
    assert slots(("07:00",), at) == (
        datetime(2026, 3, 2, 7, 0, tzinfo=UTC), datetime(2026, 3, 1, 7, 0, tzinfo=UTC)
    )  # fmt: skip
    assert slots((), at) is None


def test_the_schedule_posts_each_slot_once_even_across_restarts(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    d = Desk(settings_for(fake_slack, tmp_path, slack_digest_at=["07:00", "19:00"]))
    d.deliver(shooting(1, "Wire A", at=MORNING))
    d.deliver(closure(1, at=datetime(2026, 3, 1, 12, 0, tzinfo=UTC)))  # before the window
    now = [datetime(2026, 3, 2, 7, 0, 30, tzinfo=UTC).timestamp()]
    digests = Digests(d.slack, d.feedback)
    (target,) = targets(d.settings)
    assert target == DigestTarget("#ops", ("07:00", "19:00"))

    def schedule() -> DigestSchedule:
        return DigestSchedule(digests, [target], DigestLog(tmp_path / "digests.sqlite3"),
                              clock=lambda: now[0])  # fmt: skip

    before = len(fake_slack.posts())
    assert schedule().tick() == 1
    digest = fake_slack.posts()[-1]
    assert "1 stories · 1 reports" in digest.body["text"]  # 19:00 to 07:00 holds one story
    assert schedule().tick() == 0  # a restart: the slot is claimed already
    now[0] += 3 * 3600  # 10:00: the 07:00 slot is done, the next is 19:00
    assert schedule().tick() == 0
    assert len(fake_slack.posts()) == before + 1
    d.close()
