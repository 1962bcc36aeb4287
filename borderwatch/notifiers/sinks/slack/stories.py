"""Stories: one Slack thread per event, however many outlets report it.

An alert joins an open story when it has the same category and names an overlapping country
or the same crossing within the window (default 24 h), or when its text is a near-duplicate
of one already in the story (MinHash over word shingles, datasketch's LSH index). Stories are
kept in SQLite beside the delivery ledger, so a restart continues the same threads.

Windows run on the reports' own times (published, else fetched), never on the clock of the
process filing them: a replay of a month's archive in a minute still sees a month. Reports
of one story come in any order (several partitions), so a story's facts are kept as maxima
and unions (``StoryView``), which no arrival order can turn back to an older state.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import numpy as np
from datasketch import MinHash, MinHashLSH

from borderwatch.core.models import (
    BANDS,
    Alert,
    Band,
    Border,
    BorderAction,
    Casualty,
    Severity,
    Shooting,
    stable_id,
)
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


def alert_time(alert: Alert) -> float:
    return alert.reported_at.timestamp()


Victims = tuple[str, str, str]


def victims(c: Casualty) -> Victims:
    """What makes two casualty records reports of the same people."""
    return (c.who or "", c.outcome, c.nationality or "")


def _toll(c: Casualty) -> tuple[int, bool, str, str]:
    """Of two records of the same victims, the higher count wins; on a tie an exact count
    beats "at least", then a fixed order, so the winner never depends on arrival."""
    return (-1 if c.count is None else c.count, not c.lower_bound, c.by_text or "",
            c.sentence or "")  # fmt: skip


def _newness(alert: Alert) -> tuple[float, str]:
    return (alert_time(alert), alert.alert_id)


def _ordered(first: list[str], every: set[str]) -> list[str]:
    """The lead report's own order first (its headline pair), then the rest sorted."""
    lead = list(dict.fromkeys(first))
    return lead + sorted(every - set(lead))


@dataclass
class StoryView:
    """What a story's parent message shows: its best current facts.

    The newest report by its own time leads (headline, link, evidence, source); for each group
    of victims the highest toll any report gave; every country, crossing and region any report
    named; the highest severity; the confidence, band and event frames of the surest report
    (the highest confidence, then the newest), so one hedged late report cannot demote a story
    that others confirmed. Each part is a maximum or a union, so the parent ends the same
    whatever order the reports arrive in, and never shows an older state than before."""

    lead: Alert
    severity: Severity
    casualties: dict[Victims, Casualty] = field(default_factory=dict)
    countries: set[str] = field(default_factory=set)
    crossings: set[str] = field(default_factory=set)
    regions: set[str] = field(default_factory=set)
    border: Border | None = None
    border_from: tuple[float, str] | None = None  # the newest report that placed it
    heard: dict[str, float] = field(default_factory=dict)  # source -> its earliest report
    surest: tuple[float, float, str] | None = None  # (confidence, time, alert id) of that report
    band: Band | None = None
    shootings: list[Shooting] = field(default_factory=list)
    border_actions: list[BorderAction] = field(default_factory=list)

    @classmethod
    def of(cls, alert: Alert) -> StoryView:
        view = cls(lead=alert, severity=alert.severity)
        view.add(alert)
        return view

    def add(self, alert: Alert) -> None:
        source, at = source_of(alert), alert_time(alert)
        self.heard[source] = min(self.heard.get(source, at), at)
        if _newness(alert) > _newness(self.lead):
            self.lead = alert
        if alert.severity.rank > self.severity.rank:
            self.severity = alert.severity
        facts = alert.facts
        if alert.confidence is not None:
            sure = (alert.confidence, *_newness(alert))
            if self.surest is None or sure > self.surest:
                self.surest, self.band = sure, alert.band
                self.shootings, self.border_actions = facts.shootings, facts.border_actions
        for c in facts.casualties:
            known = self.casualties.get(victims(c))
            if known is None or _toll(c) > _toll(known):
                self.casualties[victims(c)] = c
        self.countries |= set(facts.countries)
        self.crossings |= set(facts.crossings)
        self.regions |= set(facts.regions)
        if facts.border is not None:
            self.crossings |= {facts.border.crossing} if facts.border.crossing else set()
            self.regions |= {facts.border.region} if facts.border.region else set()
            if self.border_from is None or _newness(alert) > self.border_from:
                self.border, self.border_from = facts.border, _newness(alert)

    def sources_within(self, start: float, window_s: float) -> int:
        """Distinct sources that reported within ``window_s`` of ``start`` (the first report),
        by the reports' own times: what confirms a story."""
        return sum(1 for at in self.heard.values() if at <= start + window_s)

    def shown(self) -> Alert:
        """The lead report with the story's merged facts and severity, ready to render."""
        lead = self.lead.facts
        first = list(dict.fromkeys(victims(c) for c in lead.casualties))
        keys = first + sorted(set(self.casualties) - set(first))
        facts = lead.model_copy(
            update={
                "countries": _ordered(lead.countries, self.countries),
                "crossings": _ordered(lead.crossings, self.crossings),
                "regions": _ordered(lead.regions, self.regions),
                "border": self.border,
                "casualties": [self.casualties[k] for k in keys],
            }
        )
        update: dict[str, object] = {"facts": facts, "severity": self.severity}
        if self.surest is not None:  # else no report was scored: the lead's own frames
            facts = facts.model_copy(
                update={"shootings": self.shootings, "border_actions": self.border_actions}
            )
            update |= {"facts": facts, "confidence": self.surest[0], "band": self.band}
        return self.lead.model_copy(update=update)

    def to_json(self) -> str:
        return json.dumps(
            {
                "lead": json.loads(self.lead.model_dump_json()),
                "severity": self.severity.value,
                "casualties": [json.loads(c.model_dump_json()) for c in self.casualties.values()],
                "countries": sorted(self.countries),
                "crossings": sorted(self.crossings),
                "regions": sorted(self.regions),
                "border": json.loads(self.border.model_dump_json()) if self.border else None,
                "border_from": list(self.border_from) if self.border_from else None,
                "heard": self.heard,
                "surest": list(self.surest) if self.surest else None,
                "band": self.band,
                "shootings": [json.loads(f.model_dump_json()) for f in self.shootings],
                "border_actions": [json.loads(f.model_dump_json()) for f in self.border_actions],
            }
        )

    @classmethod
    def from_json(cls, text: str) -> StoryView:
        data = json.loads(text)
        casualties = [Casualty.model_validate(c) for c in data["casualties"]]
        since = data.get("border_from")
        sure = data.get("surest")  # absent in views stored before confidence was kept
        band = data.get("band")
        return cls(
            lead=Alert.model_validate(data["lead"]),
            severity=Severity(data["severity"]),
            casualties={victims(c): c for c in casualties},
            countries=set(data["countries"]),
            crossings=set(data["crossings"]),
            regions=set(data["regions"]),
            border=Border.model_validate(data["border"]) if data.get("border") else None,
            border_from=(float(since[0]), str(since[1])) if since else None,
            heard={str(k): float(v) for k, v in (data.get("heard") or {}).items()},
            surest=(float(sure[0]), float(sure[1]), str(sure[2])) if sure else None,
            band=cast("Band | None", band if band in BANDS else None),
            shootings=[Shooting.model_validate(f) for f in data.get("shootings") or []],
            border_actions=[
                BorderAction.model_validate(f) for f in data.get("border_actions") or []
            ],
        )


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
    view: StoryView | None = None  # None only for stories stored before views were kept
    posted: str | None = None  # fingerprint of the parent as last posted or updated

    @property
    def source_count(self) -> int:
        return len(self.sources)


@dataclass(frozen=True)
class StoryUpdate:
    story: Story
    created: bool
    new_source: bool


_COLUMNS = (
    "story_id, category, countries, crossing, channel, parent_ts, first_at, last_at, "
    "sources, alert_ids, escalated, last_reply_at, view, posted"
)


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
    last_reply_at REAL NOT NULL DEFAULT 0,
    view TEXT,
    posted TEXT
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
        have = {str(r[1]) for r in self.rows("PRAGMA table_info(stories)")}
        for column in ("view", "posted"):  # a stories file from before these were kept
            if column not in have:
                self.execute(f"ALTER TABLE stories ADD COLUMN {column} TEXT")
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
         alert_ids, escalated, last_reply_at, view, posted) = row  # fmt: skip
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
            view=StoryView.from_json(str(view)) if view else None,
            posted=str(posted) if posted else None,
        )

    def get(self, story_id: str) -> Story | None:
        row = self.one(f"SELECT {_COLUMNS} FROM stories WHERE story_id = ?", (story_id,))
        return self._row(row) if row else None

    def active_between(self, start: float, end: float) -> list[Story]:
        """Stories with a report between ``start`` and ``end`` (the reports' own times), the
        latest first: what a digest of that window covers."""
        rows = self.rows(
            f"SELECT {_COLUMNS} FROM stories WHERE last_at >= ? AND first_at <= ? "
            "ORDER BY last_at DESC",
            (start, end),
        )
        return [self._row(r) for r in rows]

    def set_posted(self, story_id: str, posted: str) -> None:
        """Only the parent's fingerprint, for a writer that re-rendered the parent (a click)
        while the notifier may be filing a report into the same story."""
        self.execute("UPDATE stories SET posted = ? WHERE story_id = ?", (posted, story_id))

    def open_stories(self, category: str, now: float) -> list[Story]:
        """Stories a report from time ``now`` may join: within the window of any report in
        them, before or after (reports arrive out of order)."""
        rows = self.rows(
            f"SELECT {_COLUMNS} FROM stories WHERE category = ? AND last_at >= ? "
            "AND first_at <= ? ORDER BY last_at DESC",
            (category, now - self.window_s, now + self.window_s),
        )
        return [self._row(r) for r in rows]

    def find(self, alert: Alert, now: float | None = None) -> Story | None:
        """The open story this alert belongs to, if any; ``now`` is the report's time."""
        now = alert_time(alert) if now is None else now
        candidates = self.open_stories(alert.category, now)
        if not candidates:
            return None
        # A report filed before (a redelivery, a replay) stays in its story, even when a newer
        # story also matches its places: filing it again elsewhere would post it again.
        filed = next((s for s in candidates if alert.alert_id in s.alert_ids), None)
        if filed is not None:
            return filed
        places = alert_places(alert)
        crossing = alert.facts.border.crossing if alert.facts.border else None
        for story in candidates:
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
        """File a report under its story; ``now`` is the report's own time (by default its
        published, else fetched time)."""
        now = alert_time(alert) if now is None else now
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
            story.first_at, story.last_at = min(story.first_at, now), max(story.last_at, now)
            if story.view is None:
                story.view = StoryView.of(alert)
            else:
                story.view.add(alert)
            self._remember_text(story.story_id, alert)
        elif story.view is None:
            story.view = StoryView.of(alert)
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
            f"INSERT INTO stories ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (story_id) DO UPDATE SET countries = excluded.countries, "
            "channel = excluded.channel, parent_ts = excluded.parent_ts, "
            "first_at = excluded.first_at, last_at = excluded.last_at, "
            "sources = excluded.sources, alert_ids = excluded.alert_ids, "
            "escalated = excluded.escalated, last_reply_at = excluded.last_reply_at, "
            "view = excluded.view, posted = excluded.posted",
            (story.story_id, story.category, json.dumps(sorted(story.countries)),
             story.crossing, story.channel, story.parent_ts, story.first_at, story.last_at,
             json.dumps(story.sources), json.dumps(story.alert_ids), int(story.escalated),
             story.last_reply_at, story.view.to_json() if story.view else None, story.posted),
        )  # fmt: skip
