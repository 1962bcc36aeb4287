"""A story's parent shows its best current facts on the reports' own times, and is edited only
when what it shows changes.

Reports of one story arrive in any order (several ``articles`` partitions, a replay), and a
replay handles a month of reports in a minute: neither the arrival order nor the notifier's
clock may decide what the parent says or which reports form one story.
"""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from borderwatch.core.models import (
    Alert,
    ArticleRef,
    Border,
    Casualty,
    Facts,
    Severity,
    Shooting,
)
from borderwatch.notifiers.sinks.slack.notifier import SlackNotifier, ThreadPolicy
from borderwatch.notifiers.sinks.slack.routing import ChannelRateLimiter
from borderwatch.notifiers.sinks.slack.stories import StoryBook, StoryView
from tests.support.factories import make_alert
from tests.support.fakeslack import FakeSlack, start_fake_slack

FAST = ChannelRateLimiter(per_second=1000)  # the rate limit has its own test
T0 = datetime(2026, 2, 1, 8, 0, tzinfo=UTC)


def report(n: int, source: str, killed: int, *, hours: float, countries: list[str],
           crossing: str | None = None, title: str | None = None,
           dated: bool = True) -> Alert:  # fmt: skip
    """Report ``n`` of one story, published ``hours`` after T0 (or only fetched then)."""
    base = make_alert(title=title or f"Guards fire on migrants at the fence ({source})")
    at = T0 + timedelta(hours=hours)
    border = Border(countries=countries[:2], crossing=crossing) if crossing else None
    return base.model_copy(
        update={
            "alert_id": f"r{n}",
            "severity": Severity.high,
            "article": ArticleRef(id=f"x{n}", url=f"https://example.org/{n}",
                                  title=base.article.title, source=source,
                                  published=at if dated else None, fetched=at),
            "facts": Facts(countries=countries, crossings=[crossing] if crossing else [],
                           border=border,
                           casualties=[Casualty(count=killed, who="migrant", outcome="killed")]),
        }
    )  # fmt: skip


# One story told by four outlets over six hours; the toll rises to 19 and a later report
# repeats an older, lower figure. Published order: r1, r2, r3, r4.
STORY = [
    report(1, "Wire A", 12, hours=0, countries=["TUR", "GRC"], crossing="pazarkule"),
    report(2, "Wire B", 14, hours=1, countries=["TUR", "GRC", "BGR"]),
    report(3, "Wire C", 19, hours=3, countries=["GRC", "TUR"], crossing="ipsala"),
    report(4, "Wire D", 15, hours=6, countries=["TUR", "GRC"],
           title="Migrants killed at the Evros fence, officials say"),
]  # fmt: skip


def slack(
    fake: FakeSlack, tmp_path: Path, name: str = "stories.db", **policy: Any
) -> SlackNotifier:
    # by ID: these tests are about facts and times; names have their own (test_slack_channels)
    return SlackNotifier(
        SecretStr("xoxb-facts"), fake.channel_id("ops"), fake.base_url, max_retries=1, limiter=FAST,
        stories=StoryBook(tmp_path / name), policy=ThreadPolicy(**policy),
    )  # fmt: skip


def parent_now(fake: FakeSlack) -> dict[str, Any]:
    """What the (single) story's parent shows right now: its last update, else its post."""
    parents = [p for p in fake.posts() if p.ts and "thread_ts" not in p.body]
    assert len(parents) == 1, f"{len(parents)} parents: not one story"
    updates = [u for u in fake.by_method("chat.update") if u.body["ts"] == parents[0].ts]
    last = updates[-1] if updates else parents[0]
    blocks = last.body["blocks"]
    return {"text": last.body["text"], "blocks": json.loads(blocks) if isinstance(blocks, str)
            else blocks}  # fmt: skip


def parent_after(order: tuple[Alert, ...], db: Path) -> dict[str, Any]:
    """The story's parent once these reports arrived in this order, on a fresh fake Slack
    and store: arrival order is the only thing that differs between calls."""
    fake = start_fake_slack()
    try:
        notifier = slack(fake, db.parent, db.name, reply_gap_s=0, escalate_sources=99)
        for alert in order:
            notifier.send(alert)
        return parent_now(fake)
    finally:
        fake.server.shutdown()
        fake.server.server_close()


def test_out_of_order_reports_end_with_the_best_facts_on_the_parent(tmp_path: Path) -> None:
    """Every arrival order of the four reports leaves the same parent: the highest toll (19,
    never the later 15 or the first 12), the newest report's headline, every country and
    crossing seen, and first/latest as the reports' own published times."""
    shown = set()
    for i, order in enumerate(itertools.permutations(STORY)):
        if i % 3:  # 8 of the 24 orders keep the test quick; every report leads in some
            continue
        parent = parent_after(order, tmp_path / f"s{i}.db")
        text = json.dumps(parent["blocks"], ensure_ascii=False)
        assert "19 migrants killed" in text and "12 migrants" not in text, order
        assert "Migrants killed at the Evros fence" in text  # r4 is the newest
        assert "BGR" in text and "crossings ipsala, pazarkule" in text
        assert "4 source(s) · first 2026-02-01 08:00 UTC · latest 2026-02-01 14:00 UTC" in text
        shown.add(text)
    assert len(shown) == 1  # the same parent whatever the order


def test_a_late_report_never_takes_the_parent_back(fake_slack: FakeSlack, tmp_path: Path) -> None:
    notifier = slack(fake_slack, tmp_path, reply_gap_s=0, escalate_sources=99)
    notifier.send(STORY[0])  # 12
    notifier.send(STORY[2])  # 19
    text = json.dumps(parent_now(fake_slack)["blocks"], ensure_ascii=False)
    assert "19 migrants killed" in text
    notifier.send(STORY[1])  # 14, published before the 19 but arriving after it
    text = json.dumps(parent_now(fake_slack)["blocks"], ensure_ascii=False)
    assert "19 migrants killed" in text and "14 migrants" not in text
    assert "(Wire C)" in text  # r3 is still the newest report


def test_story_windows_use_the_reports_times_not_the_clock(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    """Handled within a second of each other, like a replay: reports published 30 hours apart
    are two stories, reports fetched (undated) an hour apart are one."""
    notifier = slack(fake_slack, tmp_path, reply_gap_s=0, escalate_sources=99)
    notifier.send(report(1, "Wire A", 3, hours=0, countries=["TUR", "GRC"]))
    notifier.send(report(2, "Wire B", 3, hours=30, countries=["TUR", "GRC"]))
    notifier.send(report(3, "Wire C", 3, hours=31, countries=["TUR", "GRC"], dated=False))
    parents = [p for p in fake_slack.posts() if "thread_ts" not in p.body]
    assert len(parents) == 2
    replies = [p for p in fake_slack.posts() if "thread_ts" in p.body]
    assert [r.body["thread_ts"] for r in replies] == [parents[1].ts]


def test_escalation_window_uses_the_reports_times(fake_slack: FakeSlack, tmp_path: Path) -> None:
    """Three sources escalate within an hour of the first report, by the reports' own times:
    three sources over three hours, handled at once, do not."""
    notifier = slack(fake_slack, tmp_path, reply_gap_s=0, escalate_sources=3,
                     escalate_window_s=3600)  # fmt: skip
    for n, source in enumerate(["Wire A", "Wire B", "Wire C"]):
        notifier.send(report(n, source, 2, hours=1.5 * n, countries=["TUR", "GRC"]))
    notifier.send(report(8, "Wire D", 2, hours=0.5, countries=["TUR", "GRC"]))
    assert all(not p.body.get("reply_broadcast") for p in fake_slack.posts())
    assert "ESCALATED" not in json.dumps(parent_now(fake_slack)["blocks"])  # 2 in the hour
    notifier.send(report(9, "Wire E", 2, hours=0.8, countries=["TUR", "GRC"]))
    assert "ESCALATED" in json.dumps(parent_now(fake_slack)["blocks"])  # now 3 in the hour
    assert fake_slack.posts()[-1].body.get("reply_broadcast") is True


def test_an_unchanged_replay_edits_no_parent(fake_slack: FakeSlack, tmp_path: Path) -> None:
    """The same reports handled again (a replay of the same archive): no post, no update."""
    notifier = slack(fake_slack, tmp_path, reply_gap_s=0, escalate_sources=99)
    for alert in STORY:
        notifier.send(alert)
    posts, updates = len(fake_slack.posts()), len(fake_slack.by_method("chat.update"))
    assert updates == 3
    again = slack(fake_slack, tmp_path, reply_gap_s=0, escalate_sources=99)  # a new process
    for alert in STORY:
        again.send(alert)
    assert len(fake_slack.posts()) == posts
    assert len(fake_slack.by_method("chat.update")) == updates


def test_a_report_that_changes_nothing_shown_edits_nothing(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    notifier = slack(fake_slack, tmp_path, reply_gap_s=0, escalate_sources=99)
    notifier.send(STORY[0])
    notifier.send(STORY[3])
    updates = len(fake_slack.by_method("chat.update"))
    # the same outlet again, between first and latest, with a lower toll and known countries
    repeat = report(5, "Wire D", 13, hours=2, countries=["GRC"])
    notifier.send(repeat)
    assert len(fake_slack.by_method("chat.update")) == updates
    assert len(fake_slack.posts()) == 2  # no reply either: not a new source


def test_stories_from_before_views_were_kept_still_work(tmp_path: Path) -> None:
    """A stories file written before the view and posted columns existed opens and is used."""
    import sqlite3

    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE stories (story_id TEXT PRIMARY KEY, category TEXT NOT NULL, "
        "countries TEXT NOT NULL, crossing TEXT, channel TEXT, parent_ts TEXT, "
        "first_at REAL NOT NULL, last_at REAL NOT NULL, sources TEXT NOT NULL, "
        "alert_ids TEXT NOT NULL, escalated INTEGER NOT NULL DEFAULT 0, "
        "last_reply_at REAL NOT NULL DEFAULT 0);"
    )
    at = T0.timestamp()
    db.execute(
        "INSERT INTO stories VALUES ('s1', 'border_shooting', '[\"GRC\", \"TUR\"]', NULL, "
        "'#ops', '1.000001', ?, ?, '[\"Wire A\"]', '[\"old\"]', 0, 0)",
        (at, at),
    )
    db.commit()
    db.close()
    book = StoryBook(path)
    story, created = book.add(STORY[1])
    assert not created and story.story_id == "s1" and story.view is not None
    assert book.get("s1") is not None and book.get("s1").view is not None  # type: ignore[union-attr]


def test_the_report_timeline_puts_an_alert_on_its_articles_day() -> None:
    """An undated article that was fetched on 1 February is on that day in the HTML report,
    not on the day a replay or eval happened to find it."""
    from borderwatch.cli.report import html_report

    fetched = report(1, "Wire A", 2, hours=0, countries=["TUR"], dated=False)
    assert fetched.article.published is None and fetched.created.date() != T0.date()
    page = html_report("t", [fetched])
    today = fetched.created.strftime("%Y-%m-%d")
    assert "2026-02-01" in page
    assert page.count(today) == page.count(f"generated {today}")  # only the generation time


def test_a_report_filed_before_stays_in_its_story(tmp_path: Path) -> None:
    """Handled again (a redelivery, a replay), a report is found in the story that has it,
    not filed into a newer story that also names its countries (and posted there again)."""
    book = StoryBook(tmp_path / "s.db")
    first = report(1, "Wire A", 2, hours=0, countries=["TUR", "GRC"])
    s1, _ = book.add(first)
    other = "Shells fall on villages near Idlib as fighting spreads along the frontier"
    s2, new = book.add(report(2, "Wire B", 2, hours=23, countries=["SYR"], title=other))
    assert new and s2.story_id != s1.story_id
    joined, _ = book.add(report(3, "Wire C", 2, hours=23.5, countries=["SYR", "TUR"], title=other))
    assert joined.story_id == s2.story_id  # now names TUR too
    again, created = book.add(first)
    assert not created and again.story_id == s1.story_id
    s2_now = book.get(s2.story_id)
    assert s2_now is not None and "r1" not in s2_now.alert_ids


def _scored(alert: Alert, confidence: float, band: str, frame: bool) -> Alert:
    shooting = Shooting(by="border_guard", by_country="GRC", at="migrant", weapon="rubber",
                        outcome="killed", count=19)  # fmt: skip
    facts = alert.facts.model_copy(update={"shootings": [shooting] if frame else []})
    return alert.model_copy(update={"confidence": confidence, "band": band, "facts": facts})


# r3 is the surest and the only one with a frame; r4, the newest, leads but is hedged.
SCORED = [
    _scored(STORY[0], 0.55, "likely", False),
    _scored(STORY[2], 0.9, "confirmed", True),
    _scored(STORY[3], 0.3, "unconfirmed", False),
]


def test_the_parent_shows_the_surest_reports_band_and_frame_in_any_order(
    tmp_path: Path,
) -> None:
    shown = set()
    for i, order in enumerate(itertools.permutations(SCORED)):
        parent = parent_after(order, tmp_path / f"c{i}.db")
        text = json.dumps(parent["blocks"], ensure_ascii=False)
        assert "*Confidence:* confirmed (0.90)" in text, order
        assert "*What:* Greek guards fired rubber bullets at migrants, 19 killed" in text
        assert "Migrants killed at the Evros fence" in text  # the newest still leads
        assert parent["text"].startswith("[HIGH] border shooting · confirmed (0.90): Greek guards")
        shown.add(text)
    assert len(shown) == 1


def test_a_views_confidence_and_frames_survive_a_restart(tmp_path: Path) -> None:
    view = StoryView.of(SCORED[0])
    view.add(SCORED[1])
    again = StoryView.from_json(view.to_json())
    assert again.shown() == view.shown()
    assert again.shown().band == "confirmed" and again.shown().facts.shootings
    # a view stored before confidence was kept: the lead's own (here unscored) reading
    old = json.loads(StoryView.of(STORY[0]).to_json())
    for key in ("surest", "band", "shootings", "border_actions"):
        old.pop(key)
    legacy = StoryView.from_json(json.dumps(old))
    assert legacy.surest is None and legacy.shown().confidence is None
    legacy.add(SCORED[1])
    assert legacy.shown().confidence == 0.9
