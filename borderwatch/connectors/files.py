"""Archive readers: JSONL (optionally gzip), directories of text files, saved RSS/Atom files."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from pydantic import ValidationError

from borderwatch.connectors.base import FileSource, Item, Source
from borderwatch.connectors.feeds import FEED_SUFFIXES, FeedFile
from borderwatch.core.errors import Codes, Problem
from borderwatch.core.models import Article

TEXT_SUFFIXES = (".txt", ".md")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson")


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    return f"{where}: {err['msg']}" if where else str(err["msg"])


class JsonlArchive(FileSource):
    """One JSON object per line: ``id, title, text, url, published, fetched, source, language``."""

    def _open(self) -> IO[str]:
        if self.path.suffix == ".gz":
            return gzip.open(self.path, "rt", encoding="utf-8", errors="replace")
        return self.path.open(encoding="utf-8", errors="replace")

    def read(self) -> Iterator[Item]:
        try:
            fh = self._open()
        except OSError as exc:
            yield Problem.of(Codes.A001, self.path, reason=exc.strerror)
            return
        lineno = 0
        with fh:
            try:
                for lineno, line in enumerate(fh, 1):
                    if line.strip():
                        yield self._parse(line, lineno)
            except (OSError, EOFError, gzip.BadGzipFile, zlib.error) as exc:
                yield Problem.of(Codes.A002, self.path, lineno, error=exc)

    def _parse(self, line: str, lineno: int) -> Item:
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            return Problem.of(Codes.A003, self.path, lineno, exc.colno, error=exc.msg)
        if not isinstance(rec, dict):
            return Problem.of(Codes.A004, self.path, lineno)
        text = rec.get("text")
        if not isinstance(text, str) or not text.strip():
            return Problem.of(Codes.A005, self.path, lineno)
        known = {"id", "title", "text", "url", "published", "fetched", "source", "language"}
        try:
            return Article(
                id=Article.make_id(
                    given=str(rec["id"]) if rec.get("id") is not None else None,
                    url=rec.get("url"),
                    title=str(rec.get("title") or ""),
                    text=text,
                ),
                **{k: v for k, v in rec.items() if k in known - {"id"} and v is not None},
            )
        except ValidationError as exc:
            return Problem.of(Codes.A006, self.path, lineno, error=_first_error(exc))


class TextFile(FileSource):
    """One article per file; the first non-empty line is its title."""

    def read(self) -> Iterator[Item]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            yield Problem.of(Codes.A007, self.path, error=exc)
            return
        if not text.strip():
            yield Problem.of(Codes.A008, self.path)
            return
        title = next(line.strip() for line in text.splitlines() if line.strip())[:300]
        yield Article(
            id=Article.make_id(given=None, url=None, title=title, text=text),
            title=title,
            text=text.strip(),
            source=self.path.parent.name or None,
        )


def source_for(path: Path) -> Source | None:
    name = path.name.lower()
    if name.endswith(JSONL_SUFFIXES):
        return JsonlArchive(path)
    if name.endswith(TEXT_SUFFIXES):
        return TextFile(path)
    if name.endswith(FEED_SUFFIXES):
        return FeedFile(path)
    return None


class Archive(Source):
    """Any mix of paths: files by their suffix, directories by the files inside them."""

    def __init__(self, paths: list[Path]) -> None:
        self.paths = paths
        self.name = ", ".join(str(p) for p in paths)

    def read(self) -> Iterator[Item]:
        for path in self.paths:
            if path.is_dir():
                files = sorted(p for p in path.rglob("*") if p.is_file())
                for file in files:
                    source = source_for(file)
                    if source is not None:
                        yield from source.read()
            elif not path.exists():
                yield Problem.of(Codes.A009, path)
            else:
                source = source_for(path)
                if source is None:
                    yield Problem.of(Codes.A010, path)
                else:
                    yield from source.read()
