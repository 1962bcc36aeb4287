"""Stories: one Slack thread per event, however many outlets report it.

An alert joins an open story when it has the same category and names an overlapping country
or the same crossing within the window (default 24 h), or when its text is a near-duplicate
of one already in the story (MinHash over word shingles, datasketch's LSH index). Stories are
kept in SQLite beside the delivery ledger, so a restart continues the same threads.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from datasketch import MinHash, MinHashLSH

from borderwatch.core.models import Alert, stable_id
from borderwatch.core.sqlite import Row, Store

NUM_PERM = 64
SHINGLE = 3
_WORD = re.compile(r"\w+", re.UNICODE)


def shingles(text: str) -> set[bytes]:
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < SHINGLE:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + SHINGLE]).encode() for i in range(len(words) - SHINGLE + 1)}


def signature(text: str) -> MinHash:
    mh = MinHash(num_perm=NUM_PERM)
    for s in shingles(text):
        mh.update(s)
    return mh


def alert_text(alert: Alert) -> str:
    """What two reports of one story share: the headline and the sentence that matched."""
    return f"{alert.article.title}\n{alert.evidence.sentence}"


def alert_places(alert: Alert) -> frozenset[str]:
    border = alert.facts.border
    if border is not None and border.countries:
        return frozenset(border.countries)
    return frozenset(alert.facts.countries[:2])


def source_of(alert: Alert) -> str:
    if alert.article.source:
        return alert.article.source
    url = alert.article.url or ""
    m = re.match(r"^https?://([^/]+)", url)
    return m.group(1) if m else alert.article.id


@dataclass
class Story:
    story_id: str
    category: str
    countries: frozenset[str]
    crossing: str | None
    first_at: float
    last_at: float
    channel: str | None = None
    parent_ts: str | None = None
    sources: list[str] = field(default_factory=list)
    alert_ids: list[str] = field(default_factory=list)
    escalated: bool = False
    last_reply_at: float = 0.0

    @property
    def source_count(self) -> int:
        return len(self.sources)


@dataclass(frozen=True)
class StoryUpdate:
    story: Story
    created: bool
    new_source: bool


class StoryBook(Store):
    schema = """
CREATE TABLE IF NOT EXISTS stories (
    story_id TEXT PRIMARY KEY,
    category TEXT NOT NULL,
    countries TEXT NOT NULL,
    crossing TEXT,
    channel TEXT,
    parent_ts TEXT,
    first_at REAL NOT NULL,
    last_at REAL NOT NULL,
    sources TEXT NOT NULL,
    alert_ids TEXT NOT NULL,
    escalated INTEGER NOT NULL DEFAULT 0,
    last_reply_at REAL NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS story_texts (
    story_id TEXT NOT NULL,
    alert_id TEXT NOT NULL,
    signature BLOB NOT NULL,
    PRIMARY KEY (story_id, alert_id)
);
"""

    def __init__(self, path: Path | str, window_s: float = 24 * 3600,
                 threshold: float = 0.5) -> None:  # fmt: skip
        super().__init__(path)
        self.window_s = window_s
        self.threshold = threshold
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        for story_id, alert_id, blob in self.rows(
            "SELECT story_id, alert_id, signature FROM story_texts"
        ):
            mh = MinHash(num_perm=NUM_PERM, hashvalues=np.frombuffer(blob, dtype=np.uint64))
            self._lsh.insert(f"{story_id}|{alert_id}", mh)

    def _row(self, row: Row) -> Story:
        (sid, category, countries, crossing, channel, parent_ts, first_at, last_at, sources,
         alert_ids, escalated, last_reply_at) = row  # fmt: skip
        return Story(
            story_id=str(sid),
            category=str(category),
            countries=frozenset(json.loads(str(countries))),
            crossing=str(crossing) if crossing else None,
            channel=str(channel) if channel else None,
            parent_ts=str(parent_ts) if parent_ts else None,
            first_at=float(first_at),
            last_at=float(last_at),
            sources=list(json.loads(str(sources))),
            alert_ids=list(json.loads(str(alert_ids))),
            escalated=bool(escalated),
            last_reply_at=float(last_reply_at),
        )

    def get(self, story_id: str) -> Story | None:
        row = self.one("SELECT * FROM stories WHERE story_id = ?", (story_id,))
        return self._row(row) if row else None

    def open_stories(self, category: str, now: float) -> list[Story]:
        rows = self.rows(
            "SELECT * FROM stories WHERE category = ? AND last_at >= ? ORDER BY last_at DESC",
            (category, now - self.window_s),
        )
        return [self._row(r) for r in rows]

    def find(self, alert: Alert, now: float | None = None) -> Story | None:
        """The open story this alert belongs to, if any."""
        now = time.time() if now is None else now
        candidates = self.open_stories(alert.category, now)
        if not candidates:
            return None
        places = alert_places(alert)
        crossing = alert.facts.border.crossing if alert.facts.border else None
        for story in candidates:
            if alert.alert_id in story.alert_ids:
                return story
            if crossing and crossing == story.crossing:
                return story
            if places & story.countries:
                return story
        near = {key.split("|", 1)[0] for key in self._lsh.query(signature(alert_text(alert)))}
        return next((s for s in candidates if s.story_id in near), None)

    def add(self, alert: Alert, now: float | None = None) -> tuple[Story, bool]:
        """File the alert under its story (a new one if none is open); True when new."""
        update = self.file(alert, now)
        return update.story, update.created

    def file(self, alert: Alert, now: float | None = None) -> StoryUpdate:
        now = time.time() if now is None else now
        story = self.find(alert, now)
        created = story is None
        new_source = False
        if story is None:
            border = alert.facts.border
            story = Story(
                story_id=stable_id("story", alert.alert_id),
                category=alert.category,
                countries=alert_places(alert),
                crossing=border.crossing if border else None,
                first_at=now,
                last_at=now,
            )
        if alert.alert_id not in story.alert_ids:
            story.alert_ids.append(alert.alert_id)
            source = source_of(alert)
            if source not in story.sources:
                story.sources.append(source)
                new_source = True
            story.countries = story.countries | alert_places(alert)
            story.last_at = now
            self._remember_text(story.story_id, alert)
        self.save(story)
        return StoryUpdate(story, created, new_source)

    def _remember_text(self, story_id: str, alert: Alert) -> None:
        mh = signature(alert_text(alert))
        key = f"{story_id}|{alert.alert_id}"
        with self.locked() as db:
            db.execute(
                "INSERT OR IGNORE INTO story_texts (story_id, alert_id, signature) "
                "VALUES (?, ?, ?)",
                (story_id, alert.alert_id, mh.hashvalues.astype(np.uint64).tobytes()),
            )
            if key not in self._lsh:
                self._lsh.insert(key, mh)

    def save(self, story: Story) -> None:
        self.execute(
            "INSERT INTO stories VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (story_id) DO UPDATE SET countries = excluded.countries, "
            "channel = excluded.channel, parent_ts = excluded.parent_ts, "
            "last_at = excluded.last_at, sources = excluded.sources, "
            "alert_ids = excluded.alert_ids, escalated = excluded.escalated, "
            "last_reply_at = excluded.last_reply_at",
            (story.story_id, story.category, json.dumps(sorted(story.countries)),
             story.crossing, story.channel, story.parent_ts, story.first_at, story.last_at,
             json.dumps(story.sources), json.dumps(story.alert_ids), int(story.escalated),
             story.last_reply_at),
        )  # fmt: skip
