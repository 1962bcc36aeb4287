"""Hostile feeds: whatever one feed's server answers, the poller reports it against that feed
and goes on polling the others (issue 15, "Hostile input, measured")."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest

from borderwatch.connectors.feeds import declares_entities, parse_feed
from borderwatch.connectors.feedstate import FeedState
from borderwatch.connectors.http import FetchPolicy
from borderwatch.connectors.poller import FeedSpec, Poller, keep_polling
from borderwatch.core import metrics
from borderwatch.core.errors import Problem
from borderwatch.core.models import Article
from tests.support.feedserver import FeedServer, feed_server

LOCAL = FetchPolicy(allow=("127.0.0.1",), read_timeout_s=1.5, connect_timeout_s=1.5,
                    max_bytes=1024 * 1024)  # fmt: skip


def rss(items: str) -> bytes:
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}'
            "</channel></rss>").encode()  # fmt: skip


def atom(when: str) -> bytes:
    return ('<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><entry><id>dated-1</id>'
            f"<title>Dated</title><updated>{when}</updated><content>Text</content></entry>"
            "</feed>").encode()  # fmt: skip


ENTITY_FEED = (
    '<?xml version="1.0" encoding="utf-16"?><!DOCTYPE rss [<!ENTITY xxe "boom">]>'
    '<rss version="2.0"><channel><title>T</title><item><title>&xxe;</title>'
    "<description>x</description></item></channel></rss>"
)
GOOD = rss("<item><guid>good-1</guid><title>Ordinary item</title>"
           "<description>Guards closed the crossing.</description></item>")  # fmt: skip

# Answers that once crashed a replay or killed the poller thread, and their neighbours.
SERVED: dict[str, tuple[int, dict[str, str], bytes]] = {
    "date-after-9999": (200, {}, atom("9999-12-31T23:00:00-05:00")),
    "date-before-1": (200, {}, atom("0001-01-01T00:00:00+01:00")),
    "markup-brackets": (200, {}, rss("<item><title>[/bold] [red]x[/] [link=x]y</title></item>")),
    "utf16-entity": (200, {}, ENTITY_FEED.encode("utf-16")),
    "utf16-entity-no-bom": (200, {}, ENTITY_FEED.encode("utf-16-le")),
    "empty": (200, {}, b""),
    "nul": (200, {}, b"\x00" * 64),
    "garbage": (200, {}, bytes(range(256)) * 4),
    "deep-xml": (200, {}, b"<rss><channel><item>" + b"<b>" * 20_000),
    "lying-gzip": (200, {"Content-Encoding": "gzip"}, b"not gzip at all"),
    "double-gzip": (200, {"Content-Encoding": "gzip"}, gzip.compress(gzip.compress(GOOD))),
    "redirect-to-javascript": (302, {"Location": "javascript:alert(1)"}, b""),
    "redirect-to-bad-ipv6": (302, {"Location": "http://[::1"}, b""),
    "redirect-to-file": (302, {"Location": "file:///etc/passwd"}, b""),
    "status-999": (999, {}, GOOD),
    "surrogate-charref": (200, {}, rss("<item><title>a &#xD800; b</title></item>")),
}
RAW: dict[str, bytes] = {
    "garbage-status-line": b"HTTP/1.1 abc\r\n\r\n",
    "body-cut-short": b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n<rss>",
    "bad-chunks": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nxx\r\n0\r\n\r\n",
}
CASES = [f"served/{k}" for k in SERVED] + [f"raw/{k}" for k in RAW] + ["x[/bold]y"]


@pytest.fixture()
def server() -> Iterator[FeedServer]:
    with feed_server() as s:
        s.served.update(SERVED)
        s.served["good"] = (200, {}, GOOD)
        s.raw.update(RAW)
        yield s


def poller(specs: list[FeedSpec], tmp_path: Path, clock: list[float]) -> Poller:
    return Poller(specs, FeedState(tmp_path / "feeds.db"), LOCAL, default_interval_s=60,
                  jitter=0.0, clock=lambda: clock[0])  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_a_hostile_feed_leaves_the_poller_polling_the_others(
    server: FeedServer, tmp_path: Path, case: str
) -> None:
    clock = [1000.0]
    bad, good = f"{server.base}/{case}", f"{server.base}/served/good"
    p = poller([FeedSpec(url=bad), FeedSpec(url=good)], tmp_path, clock)
    items = list(p.poll_due())
    assert [i.id for i in items if isinstance(i, Article) and i.id == "good-1"] == ["good-1"]
    problems = [i for i in items if isinstance(i, Problem)]
    assert all(str(p.path) == bad for p in problems), problems
    for article in (i for i in items if isinstance(i, Article)):
        article.to_bytes()  # whatever was accepted can be sent
        assert article.published is None or 1 <= article.published.year <= 9999
    clock[0] += 3 * 3600  # past any backoff: both feeds are polled again
    list(p.poll_due())
    assert server.hits["/served/good"] == 2


def test_a_date_out_of_range_keeps_the_item_without_it() -> None:
    for when in ("9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+01:00"):
        items = list(parse_feed(atom(when), "mem://dated"))
        (article,) = [i for i in items if isinstance(i, Article)]
        (problem,) = [i for i in items if isinstance(i, Problem)]
        assert article.id == "dated-1" and article.published is None
        assert problem.code == "F008" and "entry 1" in problem.message


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp037"])
def test_the_entity_guard_reads_the_document_as_the_parser_will(encoding: str) -> None:
    data = ENTITY_FEED.replace("utf-16", encoding).encode(encoding)
    assert declares_entities(data)
    (problem,) = list(parse_feed(data, "mem://x"))
    assert isinstance(problem, Problem) and problem.code == "F006"
    harmless = rss("<item><title>No entities</title></item>").decode().encode(encoding)
    assert not declares_entities(harmless)


def test_an_unexpected_error_is_one_feeds_problem_logged_and_counted(
    server: FeedServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A redirect to ``javascript:`` once raised out of the HTTP client; whatever raises
    while reading one feed is that feed's problem, with its URL, in the log and the metric."""
    clock = [1000.0]
    bad = f"{server.base}/served/redirect-to-javascript"
    p = poller([FeedSpec(url=bad), FeedSpec(url=f"{server.base}/served/good")], tmp_path, clock)
    before = {c: metrics.FEED_ERRORS.labels(c)._value.get() for c in ("F009", "F010", "F015")}
    items = list(p.poll_due())
    (problem,) = [i for i in items if isinstance(i, Problem)]
    assert str(problem.path) == bad
    after = {c: metrics.FEED_ERRORS.labels(c)._value.get() for c in before}
    assert after[problem.code] == before[problem.code] + 1
    if problem.code == "F009":  # until the HTTP client maps the error itself
        assert any(bad in r.getMessage() and r.exc_info for r in caplog.records)
        assert p.state.health(bad).failures == 1  # and the feed backs off like any failure


def test_keep_polling_restarts_a_failed_loop_and_says_so() -> None:
    runs: list[int] = []
    problems: list[Problem] = []

    def loop() -> None:
        runs.append(1)
        if len(runs) < 3:
            raise RuntimeError(f"poll loop broke ({len(runs)})")

    keep_polling(loop, lambda: False, problems.append, first_s=0.01, cap_s=0.02)
    assert len(runs) == 3
    assert [p.code for p in problems] == ["F017", "F017"]
    assert "RuntimeError: poll loop broke (1)" in problems[0].message


def test_keep_polling_stops_when_told() -> None:
    runs: list[int] = []

    def loop() -> None:
        runs.append(1)
        raise RuntimeError("always")

    keep_polling(loop, lambda: len(runs) >= 2, lambda p: None, first_s=0.01, cap_s=0.01)
    assert len(runs) == 2
