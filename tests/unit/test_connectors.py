from __future__ import annotations

import gzip
import json
from pathlib import Path

from borderwatch.connectors.feeds import FeedUrl, parse_feed
from borderwatch.connectors.files import Archive
from borderwatch.connectors.http import FetchPolicy
from borderwatch.connectors.pump import PumpCounts, pump
from borderwatch.connectors.schedule import TimeFilter, parse_when
from borderwatch.core.errors import Problem
from borderwatch.core.models import Article

LOOPBACK = FetchPolicy(allow=("127.0.0.1",))

RSS = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Test Wire</title>
<item><guid>g-1</guid><title>Guards fire on migrants</title><link>https://example.org/1</link>
<description>&lt;p&gt;Border guards &lt;b&gt;opened fire&lt;/b&gt; near the fence.&lt;/p&gt;</description>
<pubDate>Tue, 10 May 2016 09:00:00 GMT</pubDate></item>
<item><title>No guid here</title><link>https://example.org/2</link><description>Text two.</description></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Wire</title>
<entry><id>urn:a:1</id><title>Crossing closed</title><updated>2024-05-07T11:00:00Z</updated>
<content type="html">The crossing was closed on Tuesday.</content></entry></feed>"""


def split(items: list[Article | Problem]) -> tuple[list[Article], list[Problem]]:
    return (
        [i for i in items if isinstance(i, Article)],
        [i for i in items if isinstance(i, Problem)],
    )


def test_jsonl_bad_lines_are_reported_and_the_rest_kept(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    good = {"id": "1", "title": "T", "text": "Body", "published": "2020-02-28T06:00:00Z"}
    path.write_text(
        "\n".join(
            [
                json.dumps(good),
                "{not json",
                json.dumps({"id": "2", "title": "no text"}),
                json.dumps({"id": "3", "text": "ok", "published": "yesterday-ish"}),
                "[1, 2]",
                json.dumps({"title": "T4", "text": "Body four", "url": "https://x/4"}),
            ]
        ),
        encoding="utf-8",
    )
    articles, problems = split(list(Archive([path]).read()))
    assert articles[0].id == "1"
    assert len(articles) == 2 and articles[1].url == "https://x/4"
    assert [(p.code, p.line) for p in problems] == [
        ("A003", 2),
        ("A005", 3),
        ("A006", 4),
        ("A004", 5),
    ]
    assert str(problems[0]).startswith(f"{path}:2:2: [A003] invalid JSON")


def test_gzip_archive_and_corrupt_tail(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl.gz"
    lines = "".join(json.dumps({"id": str(i), "text": f"t{i}"}) + "\n" for i in range(50))
    data = gzip.compress(lines.encode())
    path.write_bytes(data[: len(data) - 12])  # cut the gzip trailer and some data
    articles, problems = split(list(Archive([path]).read()))
    assert len(articles) >= 1
    assert [p.code for p in problems] == ["A002"]


def test_text_directory_and_unknown_paths(tmp_path: Path) -> None:
    (tmp_path / "one.txt").write_text("Headline one\n\nBody one.", encoding="utf-8")
    (tmp_path / "two.md").write_text("Headline two\nBody two.", encoding="utf-8")
    (tmp_path / "empty.txt").write_text("  ", encoding="utf-8")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    (tmp_path / "notes.csv").write_text("ignored", encoding="utf-8")
    items = list(Archive([tmp_path, tmp_path / "missing.jsonl"]).read())
    articles, problems = split(items)
    assert sorted(a.title for a in articles) == ["Headline one", "Headline two"]
    assert sorted(p.code for p in problems) == ["A007", "A008", "A009"]


def test_rss_and_atom_files(tmp_path: Path) -> None:
    (tmp_path / "feed.xml").write_text(RSS, encoding="utf-8")
    (tmp_path / "feed.atom").write_text(ATOM, encoding="utf-8")
    articles, problems = split(list(Archive([tmp_path]).read()))
    assert not problems
    by_title = {a.title: a for a in articles}
    shot = by_title["Guards fire on migrants"]
    assert shot.id == "g-1" and shot.source == "Test Wire"
    assert shot.text == "Border guards opened fire near the fence."
    assert shot.published is not None and shot.published.year == 2016
    assert by_title["No guid here"].id == Article.make_id(
        given=None, url="https://example.org/2", title="", text=""
    )
    assert by_title["Crossing closed"].text == "The crossing was closed on Tuesday."


def test_broken_feed_reports_url_and_keeps_going(http_dir: tuple[str, Path]) -> None:
    base, root = http_dir
    (root / "broken.xml").write_text("<rss><channel><item><title>Half", encoding="utf-8")
    (root / "good.xml").write_text(RSS, encoding="utf-8")
    broken = list(FeedUrl(f"{base}/broken.xml", LOOPBACK).read())
    missing = list(FeedUrl(f"{base}/nope.xml", LOOPBACK).read())
    good, problems = split(list(FeedUrl(f"{base}/good.xml", LOOPBACK).read()))
    assert len(good) == 2 and not problems
    assert all(isinstance(p, Problem) for p in missing)
    assert missing[0].code == "F014" and str(missing[0].path).endswith("/nope.xml")
    assert any(isinstance(i, Problem) for i in broken)


def test_parse_feed_rejects_garbage() -> None:
    (problem,) = list(parse_feed(b"\x00\xff not xml at all", "mem://x"))
    assert isinstance(problem, Problem) and problem.code == "F001"


def test_corrupt_gzip_member_is_reported_and_the_rest_kept(tmp_path: Path) -> None:
    import gzip as _gzip

    from borderwatch.connectors.files import Archive

    good = _gzip.compress(b'{"id": "g1", "text": "x"}\n{"id": "g2", "text": "y"}\n')
    (tmp_path / "a.jsonl.gz").write_bytes(good + b"\x1f\x8b\x08\x00not-a-gzip-member")
    (tmp_path / "b.jsonl.gz").write_bytes(good[:-10])  # truncated
    (tmp_path / "c.jsonl").write_bytes(b'{"id": "ok", "text": "t"}\n{"id": "tr')  # cut line
    items = list(Archive([tmp_path]).read())
    ids = [i.id for i in items if isinstance(i, Article)]
    problems = [str(i) for i in items if not isinstance(i, Article)]
    assert ids.count("g1") == 2 and "ok" in ids  # everything before the damage is kept
    assert any("a.jsonl.gz:3:" in p and "[A002]" in p for p in problems)  # where it broke
    assert any("b.jsonl.gz:" in p and "[A002]" in p for p in problems)
    assert any("c.jsonl:2:" in p and "[A003]" in p for p in problems)


class Collect:
    """A writer that keeps what it is sent (``pump`` needs only ``send``)."""

    def __init__(self) -> None:
        self.sent: list[Article] = []

    def send(self, article: Article) -> None:
        self.sent.append(article)


def test_pump_sends_articles_reports_problems_and_the_filter_counts_skips(
    tmp_path: Path,
) -> None:
    lines = [
        {"id": "in", "text": "x", "published": "2020-02-27T10:00:00Z"},
        {"id": "late", "text": "x", "published": "2021-01-01T00:00:00Z"},
        {"id": "undated", "text": "x"},
    ]
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join([*map(json.dumps, lines), "{broken"]) + "\n")
    writer, problems = Collect(), list[Problem]()
    time_filter = TimeFilter(since=parse_when("2020-01-01"), until=parse_when("2020-12-31"))
    counts = pump(Archive([path]), writer, problems.append, time_filter=time_filter)
    assert [a.id for a in writer.sent] == ["in"]
    assert [p.code for p in problems] == ["A003"]
    assert (counts.sent, counts.problems) == (1, 1)
    assert (time_filter.outside, time_filter.undated) == (1, 1)
    # one tally over several pumps: the live job's archives, then its feeds
    again = pump(iter([Article(id="feed", text="y")]), writer, problems.append, counts=counts)
    assert again is counts and counts.sent == 2


def test_pump_takes_no_filter_as_keep_everything() -> None:
    writer = Collect()
    counts = pump([Article(id="a", text="x")], writer, lambda p: None)
    assert counts == PumpCounts(sent=1, problems=0) and writer.sent[0].id == "a"
