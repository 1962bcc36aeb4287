"""The article archive: daily rotation, gzip, each article once, readable after a crash."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

from borderwatch.connectors.archive import ArticleArchive, day_path
from borderwatch.connectors.files import Archive
from borderwatch.connectors.producer import ArticleWriter
from borderwatch.core.models import Article
from tests.support.fixtures import isolated_settings
from tests.support.waiting import wait_until

DAY1 = datetime(2026, 2, 27, 23, 59, tzinfo=UTC)
DAY2 = datetime(2026, 2, 28, 0, 1, tzinfo=UTC)


def art(i: int) -> Article:
    return Article(id=f"a{i}", title=f"t{i}", text=f"body {i}")


def lines(path: Path) -> list[dict[str, object]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def test_daily_rotation_and_no_duplicates(tmp_path: Path) -> None:
    archive = ArticleArchive(tmp_path)
    assert archive.append(art(1), DAY1) and archive.append(art(2), DAY1)
    assert not archive.append(art(1), DAY1)  # the same article again: not written
    assert archive.append(art(3), DAY2)
    assert not archive.append(art(2), DAY2)  # re-polled the next day: still once
    archive.close()
    assert [r["id"] for r in lines(day_path(tmp_path, DAY1))] == ["a1", "a2"]
    assert [r["id"] for r in lines(day_path(tmp_path, DAY2))] == ["a3"]
    assert day_path(tmp_path, DAY2).name == "articles-2026-02-28.jsonl.gz"


def test_reopening_a_day_keeps_it_once(tmp_path: Path) -> None:
    first = ArticleArchive(tmp_path)
    first.append(art(1), DAY1)
    first.close()
    again = ArticleArchive(tmp_path)  # a restart on the same day
    assert not again.append(art(1), DAY1)
    assert again.append(art(2), DAY1)
    again.close()
    assert [r["id"] for r in lines(day_path(tmp_path, DAY1))] == ["a1", "a2"]
    # the archive is a replay source as it is
    replayed = [a.id for a in Archive([tmp_path]).read() if isinstance(a, Article)]
    assert replayed == ["a1", "a2"]


def test_each_write_is_readable_without_close(tmp_path: Path) -> None:
    archive = ArticleArchive(tmp_path)
    archive.append(art(1), DAY1)  # no close: as if the process died now
    assert [r["id"] for r in lines(day_path(tmp_path, DAY1))] == ["a1"]


def test_live_writer_archives_what_the_broker_accepted(kafka: str, tmp_path: Path) -> None:
    settings = isolated_settings(kafka, tmp_path)
    from borderwatch.core.kafka import ensure_topics

    ensure_topics(settings)
    writer = ArticleWriter(settings, archive=ArticleArchive(settings.archive_dir))
    for i in range(3):
        writer.send(art(i))
    writer.send(art(0))  # the feed poller saw it again
    writer.finish()
    writer.close()
    assert wait_until(lambda: writer.archive is not None and writer.archive.written == 3, 10)
    files = list(settings.archive_dir.rglob("*.jsonl.gz"))
    assert len(files) == 1 and sorted(r["id"] for r in lines(files[0])) == ["a0", "a1", "a2"]
