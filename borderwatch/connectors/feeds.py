"""RSS/Atom: parsing with feedparser, for saved snapshots and fetched URLs alike."""

from __future__ import annotations

import calendar
import html
import re
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import feedparser
import feedparser.encodings

from borderwatch.connectors.base import FileSource, Item, Source
from borderwatch.connectors.http import FetchError, FetchPolicy, fetch
from borderwatch.core.errors import Codes, Problem
from borderwatch.core.models import Article

ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
FEED_SUFFIXES = (".xml", ".rss", ".atom")


class _TextOnly(HTMLParser):
    _BLOCK = frozenset({"p", "br", "div", "li", "h1", "h2", "h3", "h4", "tr", "blockquote"})
    _SKIP = frozenset({"script", "style"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skip += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skip:
            self._skip -= 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Feed bodies are HTML; rules and spaCy want plain sentences."""
    if "<" not in markup:
        return html.unescape(markup).strip()
    parser = _TextOnly()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts)
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    return re.sub(r"\n\s*\n+", "\n\n", text).strip()


def _when(entry: Any, *keys: str) -> tuple[datetime | None, str | None]:
    """The entry's time in UTC, or why it has none: feedparser applies the offset itself, so
    "9999-12-31T23:00-05:00" arrives as year 10000, which no datetime can hold."""
    for key in keys:
        parsed = entry.get(key)
        if parsed:
            try:
                return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC), None
            except (ValueError, OverflowError, OSError) as exc:
                return None, f"{key.removesuffix('_parsed')} year {parsed[0]}: {exc}"
    return None, None


def declares_entities(data: bytes) -> bool:
    """Whether a document declares XML entities in any encoding a parser may read it in.

    The bytes alone miss ``<!ENTITY`` written in UTF-16 or -32 (every other byte NUL), EBCDIC
    or a declared UTF-7, so the check also runs on the NUL-free bytes and on the UTF-8 that
    feedparser itself would convert the document to.
    """
    if ENTITY_DECL.search(data) or ENTITY_DECL.search(data.replace(b"\0", b"")):
        return True
    try:
        converted = feedparser.encodings.convert_to_utf8({}, data, {})
    except Exception:  # an undecodable document: feedparser will refuse it on its own
        return False
    return bool(ENTITY_DECL.search(converted))


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
    try:
        parts = urllib.parse.urlsplit(url.strip())
    except ValueError:  # "Invalid IPv6 URL" and friends: keep what the feed said
        return url.strip()
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
    if not data.strip():
        yield Problem.of(Codes.F001, origin, error="it is empty")
        return
    if declares_entities(data):
        # Entity declarations are how billion-laughs bombs work; real news feeds have none.
        yield Problem.of(Codes.F006, origin)
        return
    try:
        parsed = feedparser.parse(data)
    except Exception as exc:  # feedparser itself can trip on mangled namespaces (found by tests)
        yield Problem.of(Codes.F001, origin, error=f"feedparser raised {type(exc).__name__}: {exc}")
        return
    feed_title = str(parsed.feed.get("title") or origin)
    language = _language(parsed.feed.get("language"))
    if parsed.bozo and not parsed.entries:
        yield Problem.of(Codes.F001, origin, error=parsed.get("bozo_exception"))
        return
    if parsed.bozo:
        yield Problem.of(
            Codes.F002, origin, count=len(parsed.entries), error=parsed.get("bozo_exception")
        )
    for n, entry in enumerate(parsed.entries, 1):
        title = html_to_text(str(entry.get("title") or ""))
        text = _entry_text(entry)
        link = entry.get("link")
        if not (title or text):
            yield Problem.of(Codes.F003, origin, n=n)
            continue
        url = canonical_url(str(link)) if link else None
        published, bad_date = _when(entry, "published_parsed", "updated_parsed")
        if bad_date:
            yield Problem.of(Codes.F008, origin, n=n, error=bad_date)
        yield Article(
            id=Article.make_id(given=entry.get("id"), url=url, title=title, text=text),
            url=url,
            title=title,
            text=text or title,
            source=feed_title,
            language=_language(entry.get("language")) or language,
            published=published,
        )


class FeedFile(FileSource):
    """A saved RSS/Atom document (an archive snapshot)."""

    def read(self) -> Iterator[Item]:
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            yield Problem.of(Codes.F004, self.path, reason=exc.strerror)
            return
        yield from parse_feed(data, str(self.path))


class FeedUrl(Source):
    """One feed URL read once (the poller adds state, politeness and memory)."""

    def __init__(self, url: str, policy: FetchPolicy | None = None) -> None:
        self.url = url
        self.name = url
        self.policy = policy or FetchPolicy()

    def read(self) -> Iterator[Item]:
        try:
            result = fetch(self.url, self.policy)
        except FetchError as exc:  # one feed's problem, never the poller's
            yield Problem(exc.code, str(exc), self.url)
            return
        yield from parse_feed(result.body, self.url)
