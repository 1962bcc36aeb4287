"""One opening for the SQLite state files: the delivery ledger, silences, Slack stories and
the poller's feed state.

Each is a table or two that several threads of one process share (the alerts consumer and its
retry sweep, the poller's fetch threads) while a CLI command may read it from another process.
So every store opens the same way: one connection behind a lock, autocommit, WAL (a reader
never blocks the writer), and its schema created on open. ``:memory:`` gives the same store
with nothing on disk, for tests and runs whose state must not outlive them.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar, Self

MEMORY = ":memory:"

Row = tuple[Any, ...]


class Store:
    """Base of the state files; a subclass names its ``schema`` (one or more statements)."""

    schema: ClassVar[str] = ""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if not self.in_memory:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        # SQLite's default, said aloud: a lost ledger record is a duplicate page after a crash.
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(self.schema)

    @classmethod
    def memory(cls) -> Self:
        """This store with nothing on disk: it lives as long as the object."""
        return cls(MEMORY)

    @property
    def in_memory(self) -> bool:
        return str(self.path) == MEMORY

    @contextmanager
    def locked(self) -> Iterator[sqlite3.Connection]:
        """The connection, for several statements that must not interleave with another
        thread's."""
        with self._lock:
            yield self._db

    def execute(self, sql: str, params: Sequence[object] = ()) -> sqlite3.Cursor:
        """One write; the cursor still tells ``rowcount``."""
        with self._lock:
            return self._db.execute(sql, params)

    def one(self, sql: str, params: Sequence[object] = ()) -> Row | None:
        with self._lock:
            row: Row | None = self._db.execute(sql, params).fetchone()
        return row

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def close(self) -> None:
        with self._lock:
            self._db.close()
