"""RSS/Atom: parsing with feedparser (files and URLs alike), and a simple poller for live feeds."""

from __future__ import annotations

import calendar
import logging
import re
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import feedparser

from borderwatch.errors import Problem
from borderwatch.models import Article
from connectors.base import FileSource, Item, Source, html_to_text

log = logging.getLogger(__name__)

MAX_FEED_BYTES = 10 * 1024 * 1024
ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
FEED_SUFFIXES = (".xml", ".rss", ".atom")


def _when(entry: Any, *keys: str) -> datetime | None:
    for key in keys:
        parsed = entry.get(key)
        if parsed:
            return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    return None


def _entry_text(entry: Any) -> str:
    for content in entry.get("content") or []:
        value = content.get("value")
        if value:
            return html_to_text(str(value))
    return html_to_text(str(entry.get("summary") or entry.get("description") or ""))


def _language(tag: object) -> str | None:
    """'en-US' -> 'en': rules filter on the primary language subtag."""
    if not isinstance(tag, str) or not tag.strip():
        return None
    return tag.strip().split("-")[0].split("_")[0].lower()[:8] or None


TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|dclid|mc_cid|mc_eid|_ga|ocid|cmpid|at_\w+)$", re.I)


def canonical_url(url: str) -> str:
    """The same story under the same URL: no fragment, no tracking parameters, lower-case host."""
    parts = urllib.parse.urlsplit(url.strip())
    if not parts.scheme or not parts.netloc:
        return url.strip()
    query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
             if not TRACKING.match(k)]  # fmt: skip
    return urllib.parse.urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path or "/",
         urllib.parse.urlencode(query), "")
    )  # fmt: skip


def parse_feed(data: bytes, origin: str) -> Iterator[Item]:
    """Yield every entry that can be read; a malformed feed yields what parsed plus a problem."""
    if ENTITY_DECL.search(data):
        # Entity declarations are how billion-laughs bombs work; real news feeds have none.
        yield Problem("F006", "feed declares XML entities; refused (entity-expansion risk)", origin)
        return
    parsed = feedparser.parse(data)
    feed_title = str(parsed.feed.get("title") or origin)
    language = _language(parsed.feed.get("language"))
    if parsed.bozo and not parsed.entries:
        yield Problem("F001", f"not a readable feed: {parsed.get('bozo_exception')}", origin)
        return
    if parsed.bozo:
        yield Problem(
            "F002",
            f"feed is malformed; read {len(parsed.entries)} entries anyway: "
            f"{parsed.get('bozo_exception')}",
            origin,
        )
    for n, entry in enumerate(parsed.entries, 1):
        title = html_to_text(str(entry.get("title") or ""))
        text = _entry_text(entry)
        link = entry.get("link")
        if not (title or text):
            yield Problem("F003", f"entry {n} has neither title nor text; skipped", origin)
            continue
        url = canonical_url(str(link)) if link else None
        yield Article(
            id=Article.make_id(given=entry.get("id"), url=url, title=title, text=text),
            url=url,
            title=title,
            text=text or title,
            source=feed_title,
            language=_language(entry.get("language")) or language,
            published=_when(entry, "published_parsed", "updated_parsed"),
        )


class FeedFile(FileSource):
    """A saved RSS/Atom document (an archive snapshot)."""

    def read(self) -> Iterator[Item]:
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            yield Problem("F004", f"cannot read feed file: {exc.strerror}", self.path)
            return
        yield from parse_feed(data, str(self.path))


def fetch(url: str, timeout: float = 20.0, max_bytes: int = MAX_FEED_BYTES) -> bytes:
    """GET with a timeout and a size cap enforced while reading, not after."""
    request = urllib.request.Request(url, headers={"User-Agent": "borderwatch/0.1 (+feeds)"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        body: bytes = response.read(max_bytes + 1)
    if len(body) > max_bytes:
        raise ValueError(f"feed body exceeds {max_bytes} bytes")
    return body


class FeedUrl(Source):
    def __init__(self, url: str, fetcher: Callable[[str], bytes] = fetch) -> None:
        self.url = url
        self.name = url
        self._fetch = fetcher

    def read(self) -> Iterator[Item]:
        try:
            data = self._fetch(self.url)
        except Exception as exc:  # any network failure is one feed's problem, not the poller's
            yield Problem("F005", f"fetch failed: {type(exc).__name__}: {exc}", self.url)
            return
        yield from parse_feed(data, self.url)


class FeedPoller:
    """Poll feed URLs on an interval, sending each entry id once per process."""

    def __init__(self, urls: list[str], interval_s: float) -> None:
        self.sources = [FeedUrl(u) for u in urls]
        self.interval_s = interval_s
        self._seen: set[str] = set()

    def poll_once(self) -> Iterator[Item]:
        for source in self.sources:
            for item in source.read():
                if isinstance(item, Article):
                    if item.id in self._seen:
                        continue
                    self._seen.add(item.id)
                yield item

    def run(self, emit: Callable[[Item], None], stop: Callable[[], bool]) -> None:
        while not stop():
            started = time.monotonic()
            for item in self.poll_once():
                emit(item)
            while not stop() and time.monotonic() - started < self.interval_s:
                time.sleep(0.2)
