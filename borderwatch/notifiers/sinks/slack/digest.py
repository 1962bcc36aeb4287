"""Digests: a summary of a channel's stories instead of a stream, on a schedule or on demand.

A digest lists the stories that had a report in its window (by the reports' own times, like
every story window), by category and then region, with counts, escalations, whether someone
acknowledged each one, and a link to each thread (``chat.getPermalink``). A channel's digest
covers the stories whose thread is in it; a digest-only route's channel (``digest_only``)
covers the stories its filters match, wherever their threads are, and gets no live alerts.

Scheduled digests (``slack_digest_at`` for the default channel, ``digest_at`` per route, as
``HH:MM`` UTC) each cover the time since the slot before. Every slot is claimed in
``DATA_DIR/state/digests.sqlite3`` before it is posted, so a restart, or ``run`` and
``notify`` side by side, never post one twice; a slot missed while nothing ran is posted
late only within ``CATCH_UP_S``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from borderwatch.core.settings import Settings, SlackRoute
from borderwatch.core.sqlite import Store
from borderwatch.notifiers.feedback import FeedbackStore
from borderwatch.notifiers.sinks.slack.blocks import HEADER_LIMIT, SECTION_LIMIT, cut, escape
from borderwatch.notifiers.sinks.slack.interact import category_label, mention
from borderwatch.notifiers.sinks.slack.notifier import SlackNotifier, channel_name, is_channel_id
from borderwatch.notifiers.sinks.slack.stories import Story
from borderwatch.notifiers.sinks.text import headline

log = logging.getLogger(__name__)

METADATA_EVENT = "borderwatch_digest"
PER_CATEGORY = 12  # stories listed per category; the rest are counted
CATCH_UP_S = 3600.0
TICK_S = 30.0


@dataclass(frozen=True)
class DigestTarget:
    """A channel that gets digests: the default one, or a route's."""

    channel: str
    times: tuple[str, ...] = ()
    route: SlackRoute | None = None  # set for a digest-only route: its filters pick stories

    @property
    def digest_only(self) -> bool:
        return self.route is not None and self.route.digest_only


def targets(settings: Settings) -> list[DigestTarget]:
    """Every channel with a digest schedule, and every digest-only route (on demand)."""
    found: list[DigestTarget] = []
    if settings.slack_channel and settings.slack_digest_at:
        found.append(DigestTarget(settings.slack_channel, tuple(settings.slack_digest_at)))
    for route in settings.slack_routes:
        if route.digest_at or route.digest_only:
            found.append(DigestTarget(route.channel, tuple(route.digest_at),
                                      route if route.digest_only else None))  # fmt: skip
    return found


def target_for(settings: Settings, channel: str) -> DigestTarget:
    """The digest target of a channel named on the command line (a digest-only route's
    filters if it is one's, else the stories whose threads are in it)."""
    for target in targets(settings):
        if _same(target.channel, channel):
            return target
    return DigestTarget(channel)


def _same(a: str, b: str) -> bool:
    return a == b or (not is_channel_id(a) and not is_channel_id(b)
                      and channel_name(a) == channel_name(b))  # fmt: skip


def _region(story: Story) -> str:
    view = story.view
    border = view.border if view is not None else None
    region = border.region if border else None
    if region is None and view is not None and view.regions:
        region = sorted(view.regions)[0]
    if region:
        return region.replace("_", " ").title()
    countries = border.countries if border and border.countries else sorted(story.countries)
    return "–".join(countries) if countries else "unplaced"


@dataclass(frozen=True)
class Digest:
    text: str
    blocks: list[dict[str, Any]]
    stories: list[Story]


def _mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}


def _when(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M UTC")


def build_digest(
    stories: list[Story],
    start: float,
    end: float,
    acknowledged: Callable[[str], str | None],
    link: Callable[[Story], str | None],
) -> Digest:
    """The digest message; ``acknowledged`` gives who acknowledged a story (or None),
    ``link`` its thread's permalink (or None)."""
    hours = (end - start) / 3600
    span = f"{hours:.0f} h" if hours >= 1 else f"{(end - start) / 60:.0f} min"
    escalated = sum(1 for s in stories if s.escalated)
    open_ = [s for s in stories if acknowledged(s.story_id) is None]
    reports = sum(len(s.alert_ids) for s in stories)
    summary = (f"{len(stories)} stories · {reports} reports · {escalated} escalated · "
               f"{len(open_)} not acknowledged")  # fmt: skip
    title = cut(f"Borderwatch digest · last {span}", HEADER_LIMIT)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title}},
        {"type": "context", "elements": [_mrkdwn(f"{_when(start)} – {_when(end)} · {summary}")]},
    ]
    if not stories:
        blocks.append({"type": "section", "text": _mrkdwn("No stories.")})
    by_category: dict[str, list[Story]] = defaultdict(list)
    for story in stories:
        by_category[story.category].append(story)
    for category in sorted(by_category):
        group = by_category[category]
        n_reports = sum(len(s.alert_ids) for s in group)
        lines = [f"*{escape(category_label(category))}*: {len(group)} stories, "
                 f"{n_reports} reports"]  # fmt: skip
        by_region: dict[str, list[Story]] = defaultdict(list)
        for story in group:
            by_region[_region(story)].append(story)
        listed = 0
        for region in sorted(by_region, key=lambda r: (-len(by_region[r]), r)):
            if listed >= PER_CATEGORY:
                break
            lines.append(f"_{escape(region)}_ ({len(by_region[region])})")
            for story in sorted(by_region[region], key=lambda s: -s.last_at)[
                : PER_CATEGORY - listed
            ]:
                lines.append(_line(story, acknowledged(story.story_id), link(story)))
                listed += 1
        if listed < len(group):
            lines.append(f"(+{len(group) - listed} more)")
        blocks.append({"type": "section", "text": _mrkdwn(cut("\n".join(lines), SECTION_LIMIT))})
    text = f"Borderwatch digest, last {span}: {summary}"
    return Digest(text, blocks, stories)


def _line(story: Story, acked_by: str | None, link: str | None) -> str:
    view = story.view
    if view is not None:
        shown = view.shown()
        title = f"{headline(shown)} {shown.article.title or shown.article.id}"
    else:  # a story stored before views were kept
        title = story.story_id
    label = escape(cut(title, 150)).replace("|", "¦")
    first = f"<{link}|{label}>" if link and link.startswith("https://") else label
    parts = [first, f"{story.source_count} sources", f"{len(story.alert_ids)} reports"]
    if story.escalated:
        parts.append("*ESCALATED*")
    parts.append(f"acknowledged by {mention(acked_by)}" if acked_by else "*not acknowledged*")
    return "• " + " · ".join(parts)


class DigestLog(Store):
    """Which scheduled digests were posted (or are being posted): one row per slot."""

    schema = """
CREATE TABLE IF NOT EXISTS digests (
    channel TEXT NOT NULL,
    slot TEXT NOT NULL,
    at REAL NOT NULL,
    ts TEXT,
    PRIMARY KEY (channel, slot)
)
"""

    def claim(self, channel: str, slot: str, now: float) -> bool:
        cur = self.execute("INSERT OR IGNORE INTO digests (channel, slot, at) VALUES (?, ?, ?)",
                           (channel, slot, now))  # fmt: skip
        return cur.rowcount > 0

    def posted(self, channel: str, slot: str, ts: str | None) -> None:
        self.execute("UPDATE digests SET ts = ? WHERE channel = ? AND slot = ?",
                     (ts, channel, slot))  # fmt: skip

    def release(self, channel: str, slot: str) -> None:
        """A digest that failed: its slot may be tried again."""
        self.execute("DELETE FROM digests WHERE channel = ? AND slot = ? AND ts IS NULL",
                     (channel, slot))  # fmt: skip


def slots(times: tuple[str, ...], now: datetime) -> tuple[datetime, datetime] | None:
    """The latest slot at or before ``now`` and the slot before it (what it covers)."""
    if not times:
        return None
    day = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    every = sorted(
        day + timedelta(days=d, hours=int(t[:2]), minutes=int(t[3:]))
        for d in (-2, -1, 0) for t in times
    )  # fmt: skip
    past = [s for s in every if s <= now]
    return past[-1], past[-2]


class Digests:
    """Builds and posts digests through the Slack notifier (its client, its rate limit)."""

    def __init__(self, slack: SlackNotifier, feedback: FeedbackStore | None) -> None:
        if slack.stories is None:
            raise ValueError("digests need the notifier's story book")
        self.slack = slack
        self.feedback = feedback

    def stories(self, target: DigestTarget, start: float, end: float) -> list[Story]:
        assert self.slack.stories is not None
        found = self.slack.stories.active_between(start, end)
        if target.digest_only and target.route is not None:
            route = target.route
            return [s for s in found if s.view is not None and route.matches(s.view.shown())]
        channel = self.slack.channel_id(target.channel)
        return [s for s in found if s.channel and self._id(s.channel) == channel]

    def _id(self, channel: str) -> str | None:
        try:
            return self.slack.channel_id(channel)
        except LookupError:
            return None

    def _acknowledged(self, story_id: str) -> str | None:
        click = self.feedback.acknowledged(story_id) if self.feedback is not None else None
        return click.user_id if click is not None else None

    def _link(self, story: Story) -> str | None:
        if not story.channel or not story.parent_ts:
            return None
        try:
            return self.slack.permalink(story.channel, story.parent_ts)
        except Exception as exc:  # a digest without one link beats no digest
            log.warning("no permalink for story %s: %s", story.story_id, exc)
            return None

    def build(self, target: DigestTarget, start: float, end: float) -> Digest:
        return build_digest(self.stories(target, start, end), start, end, self._acknowledged,
                            self._link)  # fmt: skip

    def post(self, target: DigestTarget, digest: Digest) -> str | None:
        """Post; the message's ts. Raises what Slack raised."""
        self.slack.limiter.wait(target.channel)
        response = self.slack.client.chat_postMessage(
            channel=target.channel, text=digest.text, blocks=digest.blocks, unfurl_links=False,
            unfurl_media=False,
            metadata={"event_type": METADATA_EVENT,
                      "event_payload": {"stories": len(digest.stories)}},
        )  # fmt: skip
        ts = response.get("ts")
        return str(ts) if ts else None


class DigestSchedule:
    """A thread that posts each target's digest at its times (UTC)."""

    def __init__(self, digests: Digests, targets_: list[DigestTarget], log_: DigestLog,
                 clock: Callable[[], float] = time.time) -> None:  # fmt: skip
        self.digests = digests
        self.targets = [t for t in targets_ if t.times]
        self.log = log_
        self.clock = clock
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="slack-digests", daemon=True)

    def start(self) -> DigestSchedule:
        if self.targets:
            self._thread.start()
        return self

    def tick(self) -> int:
        """Post every digest that is due now; how many were posted."""
        now = self.clock()
        posted = 0
        for target in self.targets:
            due = slots(target.times, datetime.fromtimestamp(now, UTC))
            if due is None or now - due[0].timestamp() > CATCH_UP_S:
                continue
            slot, before = due
            key = slot.strftime("%Y-%m-%dT%H:%M")
            if not self.log.claim(target.channel, key, now):
                continue
            try:
                digest = self.digests.build(target, before.timestamp(), slot.timestamp())
                self.log.posted(target.channel, key, self.digests.post(target, digest))
                posted += 1
            except Exception as exc:  # the slot is tried again on the next tick
                log.error("digest for %s at %s failed: %s", target.channel, key, exc)
                self.log.release(target.channel, key)
        return posted

    def _run(self) -> None:
        while True:
            try:
                self.tick()
            except Exception:  # the schedule goes on; the log says why a digest is missing
                log.exception("digest schedule tick failed")
            if self._stop.wait(TICK_S):
                return

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
