"""Polling many feeds politely: conditional GETs, jittered intervals, backoff after errors,
a per-host concurrency limit, and memory of what was already sent, across restarts."""

from __future__ import annotations

import logging
import random
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import trafilatura
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from borderwatch.connectors.base import Item
from borderwatch.connectors.feeds import declares_entities, parse_feed
from borderwatch.connectors.feedstate import FeedState
from borderwatch.connectors.http import FetchError, FetchPolicy, fetch
from borderwatch.core import metrics
from borderwatch.core.backoff import Backoff, backoff_delay
from borderwatch.core.errors import BorderwatchError, Codes, Problem
from borderwatch.core.models import Article
from borderwatch.core.yamlsrc import load_located, schema_problems

log = logging.getLogger(__name__)


class FeedSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(pattern=r"^https?://")
    name: str | None = None
    interval_s: float | None = Field(default=None, ge=10)
    tags: list[str] = Field(default_factory=list)
    language: str | None = None


class FeedsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    feeds: list[FeedSpec]


def load_feeds(path: Path) -> list[FeedSpec]:
    """The feeds file; every problem located (``path:line:col: [F020] ...``)."""
    doc = load_located(path)
    problems = [
        Problem.of(Codes.F020, p.path, p.line, p.col, detail=p.message) for p in doc.problems
    ]
    if doc.data is None and not problems:
        problems.append(Problem.of(Codes.F020, path, 1, 1, detail="feeds file is empty"))
    if problems:
        raise BorderwatchError(problems)
    try:
        return FeedsFile.model_validate(doc.data).feeds
    except ValidationError as exc:
        raise BorderwatchError(schema_problems(doc, exc, Codes.F020.code)) from exc


def import_opml(path: Path) -> list[FeedSpec]:
    """Feeds from an OPML export (``<outline xmlUrl=... text=...>``, nested or flat)."""
    data = path.read_bytes()
    if declares_entities(data):
        error = "declares XML entities; refused"
        raise BorderwatchError(Problem.of(Codes.F021, path, error=error))
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        line, col = exc.position
        raise BorderwatchError(Problem.of(Codes.F021, path, line, col, error=exc)) from exc
    specs: dict[str, FeedSpec] = {}
    for outline in root.iter("outline"):
        url = outline.get("xmlUrl")
        if url and url.startswith(("http://", "https://")):
            name = outline.get("title") or outline.get("text")
            specs.setdefault(url, FeedSpec(url=url, name=name))
    return list(specs.values())


def host_of(url: str) -> str:
    return urllib.parse.urlsplit(url).hostname or ""


@dataclass
class Poller:
    specs: list[FeedSpec]
    state: FeedState
    policy: FetchPolicy = field(default_factory=FetchPolicy)
    default_interval_s: float = 300.0
    per_host: int = 2
    jitter: float = 0.1
    backoff_cap_s: float = 3600.0
    full_text: bool = False  # fetch the linked page when the feed carries only a summary
    summary_chars: int = 600
    clock: Callable[[], float] = time.time
    rng: Callable[[], float] = random.random
    _hosts: dict[str, threading.Semaphore] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _interval(self, spec: FeedSpec) -> float:
        base = spec.interval_s or self.default_interval_s
        return base * (1 + self.jitter * (2 * self.rng() - 1))

    def _host(self, url: str) -> threading.Semaphore:
        with self._lock:
            return self._hosts.setdefault(host_of(url), threading.Semaphore(self.per_host))

    def due(self, now: float) -> list[FeedSpec]:
        return [s for s in self.specs if self.state.health(s.url).next_poll <= now]

    def poll_feed(self, spec: FeedSpec) -> list[Item]:
        """One feed's items and problems. Whatever this feed's server answers, and whatever
        bug that answer finds, ends here as a problem for this feed: the other feeds of the
        same poll, and every later poll, go on."""
        try:
            return self._poll_feed(spec)
        except Exception as exc:  # a bug met on this feed's answer: report it and back off
            log.exception("reading feed %s failed; polling the other feeds", spec.url)
            metrics.FEED_ERRORS.labels(Codes.F009.code).inc()
            error = f"{type(exc).__name__}: {exc}"
            try:
                now = self.clock()
                failures = self.state.health(spec.url).failures + 1
                delay = backoff_delay(failures + 1, self._interval(spec), self.backoff_cap_s)
                self.state.failed(spec.url, f"[{Codes.F009.code}] {error}", now + delay, now)
            except Exception:  # the state store itself is failing; the feed is retried anyway
                log.exception("cannot record the failure of feed %s", spec.url)
            return [Problem.of(Codes.F009, spec.url, error=error)]

    def _poll_feed(self, spec: FeedSpec) -> list[Item]:
        now = self.clock()
        health = self.state.health(spec.url)
        try:
            with self._host(spec.url):
                result = fetch(spec.url, self.policy, health.etag, health.last_modified)
        except FetchError as exc:
            failures = health.failures + 1
            # A feed's n-th failure in a row waits 2^n intervals (the first, two), up to the cap.
            delay = backoff_delay(failures + 1, self._interval(spec), self.backoff_cap_s)
            self.state.failed(spec.url, f"[{exc.code}] {exc}", now + delay, now)
            metrics.FEED_ERRORS.labels(exc.code).inc()
            return [Problem(exc.code, f"{exc} (retry in {delay:.0f}s)", spec.url)]
        self.state.succeeded(spec.url, result.etag, result.last_modified,
                             now + self._interval(spec), now)  # fmt: skip
        if result.status == 304:
            return []
        items: list[Item] = []
        problem: str | None = None
        for item in parse_feed(result.body, spec.url):
            if isinstance(item, Problem):
                problem = problem or str(item)
                continue
            if spec.language and not item.language:
                item = item.model_copy(update={"language": spec.language})
            if spec.name:
                item = item.model_copy(update={"source": spec.name})
            if self.state.is_new(spec.url, item, now):
                metrics.FEED_ITEMS.inc()
                if self.full_text and len(item.text) < self.summary_chars and item.url:
                    item, trouble = self._with_full_text(item)
                    if trouble is not None:
                        items.append(trouble)
                items.append(item)
        if self.state.set_problem(spec.url, problem) and problem:
            # logged once per change of state, not on every poll of a broken feed
            items.append(Problem.of(Codes.F007, spec.url, problem=problem))
        return items

    def _with_full_text(self, article: Article) -> tuple[Article, Problem | None]:
        """The linked page's main text (trafilatura), under the same fetch limits and SSRF
        checks; on any failure the summary is kept and the failure reported."""
        assert article.url is not None
        try:
            with self._host(article.url):
                page = fetch(article.url, self.policy)
        except FetchError as exc:
            return article, Problem(exc.code, f"full text not fetched: {exc}", article.url)
        try:
            text = trafilatura.extract(
                page.body.decode("utf-8", "replace"), favor_precision=True, include_comments=False
            )
        except Exception:  # a page that trips the extractor has no main text we can use
            log.warning("full text of %s not extracted", article.url, exc_info=True)
            text = None
        if not text or len(text) <= len(article.text):
            return article, Problem.of(Codes.F030, article.url)
        return article.model_copy(update={"text": text}), None

    def poll_due(self, workers: int = 8) -> Iterator[Item]:
        due = self.due(self.clock())
        if not due:
            return
        with ThreadPoolExecutor(
            max_workers=min(workers, len(due)), thread_name_prefix="feed"
        ) as ex:
            for items in ex.map(self.poll_feed, due):
                yield from items
        self.state.prune()
        metrics.mark_ready()

    def items(self, stop: Callable[[], bool]) -> Iterator[Item]:
        """Every poll's items until ``stop()``: the feeds as one endless source for ``pump``."""
        while not stop():
            yield from self.poll_due()
            deadline = min((self.state.health(s.url).next_poll for s in self.specs), default=0)
            while not stop() and self.clock() < deadline:
                time.sleep(min(1.0, max(0.05, deadline - self.clock())))


def keep_polling(
    run: Callable[[], object],
    stop: Callable[[], bool],
    on_problem: Callable[[Problem], None],
    *,
    first_s: float = 5.0,
    cap_s: float = 300.0,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Run the poll loop ``run`` (it returns once ``stop()``) until ``stop()``; when it
    raises, say so (a log line with the traceback, a problem, a metric) and start it again
    after a backoff. A poller thread that died quietly would leave ``run`` alive and never
    polling: this is what keeps it polling, or makes its trouble seen."""
    backoff = Backoff(first_s, cap_s)
    while not stop():
        started = clock()
        try:
            run()
            return
        except Exception as exc:
            if clock() - started > cap_s:  # it had been polling fine: start the backoff over
                backoff.reset()
            delay = backoff.next()
            log.exception("the feed poller failed; restarting it in %.0fs", delay)
            metrics.FEED_ERRORS.labels(Codes.F017.code).inc()
            error = f"{type(exc).__name__}: {exc}"
            on_problem(Problem.of(Codes.F017, error=error, delay_s=delay))
            until = clock() + delay
            while not stop() and clock() < until:
                time.sleep(min(0.5, max(0.0, until - clock())))
