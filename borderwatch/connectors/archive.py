"""The article archive: every article accepted into ``articles``, once, in daily gzip JSONL.

Analysts replay these files to backtest rules ("would this rule have caught last February's
Evros crisis?"), and after a broker restart they are how the recent window is driven again,
since the embedded broker keeps nothing. One file per UTC day
(``archive/YYYY/MM/articles-YYYY-MM-DD.jsonl.gz``); each article is its own complete gzip
member (a gzip file may hold many), so a crash loses at most the line being written and the
file stays readable with any gzip reader.
"""

from __future__ import annotations

import gzip
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from borderwatch.connectors.files import Archive
from borderwatch.core.errors import Problem
from borderwatch.core.models import Article

log = logging.getLogger(__name__)

RECENT_IDS = 100_000  # ids remembered across days, so a re-polled item is not archived again


def day_path(root: Path, day: datetime) -> Path:
    return root / f"{day:%Y}" / f"{day:%m}" / f"articles-{day:%Y-%m-%d}.jsonl.gz"


def _ids_in(path: Path) -> set[str]:
    """Ids already in a day file (read once, when the day is first opened)."""
    ids: set[str] = set()
    if not path.is_file():
        return ids
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                try:
                    ids.add(str(json.loads(line)["id"]))
                except (ValueError, KeyError, TypeError):
                    continue
    except (OSError, EOFError) as exc:  # a truncated last member: keep what was readable
        log.warning("archive %s is damaged at the end (%s); appending after it", path, exc)
    return ids


class ArticleArchive:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()
        self._day: str | None = None
        self._fh: BinaryIO | None = None
        self._today: set[str] = set()
        self._recent: OrderedDict[str, None] = OrderedDict()
        self.written = 0

    def _open(self, when: datetime) -> None:
        key = f"{when:%Y-%m-%d}"
        if key == self._day:
            return
        self._close()
        path = day_path(self.root, when)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._today = _ids_in(path)
        self._fh = path.open("ab")
        self._day = key

    def append(self, article: Article, when: datetime | None = None) -> bool:
        """Archive once; False when this id was already archived (today, or recently)."""
        when = when or datetime.now(UTC)
        with self._lock:
            self._open(when)
            if article.id in self._today or article.id in self._recent:
                return False
            assert self._fh is not None
            line = article.model_dump_json(exclude_none=True).encode("utf-8") + b"\n"
            self._fh.write(gzip.compress(line, mtime=0))
            self._fh.flush()
            self._today.add(article.id)
            self._recent[article.id] = None
            if len(self._recent) > RECENT_IDS:
                self._recent.popitem(last=False)
            self.written += 1
            return True

    def _close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def close(self) -> None:
        with self._lock:
            self._close()


def recent(
    root: Path, since: datetime, until: datetime | None = None
) -> Iterator[Article | Problem]:
    """Archived articles fetched since ``since``: the window an embedded broker lost when it
    stopped. Only the day files the window touches are read; a damaged line is a Problem."""
    until = until or datetime.now(UTC)
    day = since.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    while day <= until:
        path = day_path(root, day)
        if path.is_file():
            for item in Archive([path]).read():
                if isinstance(item, Problem) or item.fetched >= since:
                    yield item
        day += timedelta(days=1)
