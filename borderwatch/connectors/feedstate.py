"""What the poller remembers across restarts: per-feed health and validators, and seen items.

SQLite in the state directory. Seen ids are bounded (the oldest are forgotten first), and each
keeps a digest of its content, so an item that changes under the same id is sent again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from borderwatch.core.models import Article
from borderwatch.core.sqlite import Store


def digest(article: Article) -> str:
    return hashlib.sha256(f"{article.title}\x1f{article.text}".encode()).hexdigest()[:24]


@dataclass(frozen=True)
class FeedHealth:
    url: str
    etag: str | None
    last_modified: str | None
    last_success: float | None
    last_error: str | None
    last_error_at: float | None
    failures: int
    next_poll: float
    problem: str | None


class FeedState(Store):
    schema = """
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    last_success REAL,
    last_error TEXT,
    last_error_at REAL,
    failures INTEGER NOT NULL DEFAULT 0,
    next_poll REAL NOT NULL DEFAULT 0,
    problem TEXT
);
CREATE TABLE IF NOT EXISTS seen (
    id TEXT PRIMARY KEY,
    feed TEXT NOT NULL,
    url TEXT,
    digest TEXT NOT NULL,
    first_seen REAL NOT NULL,
    last_seen REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS seen_by_age ON seen (last_seen);
CREATE INDEX IF NOT EXISTS seen_by_feed ON seen (feed, first_seen);
CREATE INDEX IF NOT EXISTS seen_by_url ON seen (url);
"""

    def __init__(self, path: Path | str, max_seen: int = 200_000) -> None:
        super().__init__(path)
        self.max_seen = max_seen

    def health(self, url: str) -> FeedHealth:
        row = self.one("SELECT * FROM feeds WHERE url = ?", (url,))
        if row is None:
            return FeedHealth(url, None, None, None, None, None, 0, 0.0, None)
        return FeedHealth(*row)

    def _update(self, url: str, **fields: object) -> None:
        cols = ", ".join(f"{k} = ?" for k in fields)
        with self.locked() as db:
            db.execute("INSERT OR IGNORE INTO feeds (url) VALUES (?)", (url,))
            db.execute(f"UPDATE feeds SET {cols} WHERE url = ?", (*fields.values(), url))

    def succeeded(self, url: str, etag: str | None, last_modified: str | None,
                  next_poll: float, now: float) -> None:  # fmt: skip
        self._update(url, etag=etag, last_modified=last_modified, last_success=now,
                     failures=0, next_poll=next_poll)  # fmt: skip

    def failed(self, url: str, error: str, next_poll: float, now: float) -> int:
        failures = self.health(url).failures + 1
        self._update(url, last_error=error, last_error_at=now, failures=failures,
                     next_poll=next_poll)  # fmt: skip
        return failures

    def set_problem(self, url: str, problem: str | None) -> bool:
        """Record the feed's parse problem; True when it changed (so it is logged once)."""
        if self.health(url).problem == problem:
            return False
        self._update(url, problem=problem)
        return True

    def is_new(self, feed: str, article: Article, now: float) -> bool:
        """True for an unseen item, or a seen one whose content changed (then it is an update).

        An item is "seen" by its id, or by its URL with the same content: some feeds mint a
        new GUID for the same story on every fetch."""
        d = digest(article)
        with self.locked() as db:
            row = db.execute("SELECT digest FROM seen WHERE id = ?", (article.id,)).fetchone()
            same_url = (
                article.url is not None
                and db.execute(
                    "SELECT 1 FROM seen WHERE url = ? AND digest = ? LIMIT 1", (article.url, d)
                ).fetchone()
                is not None
            )
            seen = (row is not None and row[0] == d) or (row is None and same_url)
            db.execute(
                "INSERT INTO seen (id, feed, url, digest, first_seen, last_seen) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                "digest = excluded.digest, last_seen = excluded.last_seen",
                (article.id, feed, article.url, d, now, now),
            )
        return not seen

    def prune(self) -> int:
        """Forget the least recently seen ids beyond ``max_seen``."""
        with self.locked() as db:
            (count,) = db.execute("SELECT COUNT(*) FROM seen").fetchone()
            extra = count - self.max_seen
            if extra > 0:
                db.execute(
                    "DELETE FROM seen WHERE id IN (SELECT id FROM seen ORDER BY last_seen LIMIT ?)",
                    (extra,),
                )
            return max(int(extra), 0)

    def items_since(self, feed: str, since: float) -> int:
        row = self.one(
            "SELECT COUNT(*) FROM seen WHERE feed = ? AND first_seen >= ?", (feed, since)
        )
        return int(row[0]) if row else 0

    def feeds(self) -> list[FeedHealth]:
        return [FeedHealth(*r) for r in self.rows("SELECT * FROM feeds ORDER BY url")]
