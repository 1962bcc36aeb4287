"""Archive readers: JSONL (optionally gzip), directories of text files, saved RSS/Atom files."""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from pydantic import ValidationError

from borderwatch.connectors.base import FileSource, Item, Source
from borderwatch.connectors.feeds import FEED_SUFFIXES, FeedFile
from borderwatch.core.errors import Codes, Problem
from borderwatch.core.models import Article
from borderwatch.core.yamlsrc import byte_line_col

TEXT_SUFFIXES = (".txt", ".md")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson")
# An article is at most a few hundred KB of JSON; a longer line is damage or an attack.
MAX_LINE_BYTES = 8 * 1024 * 1024
_SKIP_CHUNK = 1024 * 1024


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_LONE_SURROGATE = "a string holds a lone UTF-16 surrogate (a \\udXXX escape without its pair)"


def _has_lone_surrogate(rec: dict[str, object]) -> bool:
    try:
        json.dumps(rec, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _skip_line(fh: gzip.GzipFile | IO[bytes]) -> None:
    """Read past the rest of an over-long line in bounded pieces, up to its newline."""
    while chunk := fh.readline(_SKIP_CHUNK):
        if chunk.endswith(b"\n"):
            return


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    msg = str(err["msg"]).removeprefix("Value error, ")
    return f"{where}: {msg}" if where else msg


class JsonlArchive(FileSource):
    """One JSON object per line: ``id, title, text, url, published, fetched, source, language``.

    Lines are read as bytes with a bounded ``readline``, so one endless line (a few MB of
    gzip can inflate to GBs with no newline) costs ``max_line_bytes`` of memory, is reported
    and skipped, and the next line is read as usual.
    """

    def __init__(self, path: Path, max_line_bytes: int = MAX_LINE_BYTES) -> None:
        super().__init__(path)
        self.max_line_bytes = max_line_bytes

    def _open(self) -> gzip.GzipFile | IO[bytes]:
        if self.path.suffix == ".gz":
            return gzip.open(self.path, "rb")
        return self.path.open("rb")

    def read(self) -> Iterator[Item]:
        try:
            fh = self._open()
        except OSError as exc:
            yield Problem.of(Codes.A001, self.path, reason=exc.strerror)
            return
        lineno = 0
        seen_bytes = False
        with fh:
            try:
                while raw := fh.readline(self.max_line_bytes + 1):
                    lineno += 1
                    seen_bytes = True
                    if len(raw) > self.max_line_bytes and not raw.endswith(b"\n"):
                        _skip_line(fh)
                        yield Problem.of(Codes.A012, self.path, lineno, 1,
                                         what="line", max_bytes=self.max_line_bytes)  # fmt: skip
                        continue
                    # Blank is ASCII whitespace only: str.strip() also takes control
                    # characters such as \x1c-\x1f for space, and such a line is bad input
                    # to report, not a blank line to skip.
                    if raw.strip():
                        yield self._parse_bounded(raw.decode("utf-8", errors="replace"), lineno)
            except (OSError, EOFError, gzip.BadGzipFile, zlib.error) as exc:
                # Reported at the line being read when it broke; the lines before were kept.
                yield Problem.of(Codes.A002, self.path, lineno + 1, error=exc)
                return
        if not seen_bytes:
            yield Problem.of(Codes.A013, self.path, 1)

    def _parse_bounded(self, line: str, lineno: int) -> Item:
        try:
            return self._parse(line, lineno)
        except RecursionError:  # "[[[[..." 100,000 deep: valid JSON, but no article
            return Problem.of(Codes.A011, self.path, lineno, 1)

    def _parse(self, line: str, lineno: int) -> Item:
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            return Problem.of(Codes.A003, self.path, lineno, exc.colno, error=exc.msg)
        except ValueError as exc:  # an integer of more than 4300 digits
            return Problem.of(Codes.A003, self.path, lineno, 1, error=exc)
        if not isinstance(rec, dict):
            return Problem.of(Codes.A004, self.path, lineno)
        if _SURROGATE_ESCAPE.search(line) and _has_lone_surrogate(rec):
            # "\ud800" alone decodes, but no UTF-8 can carry it: the article could never be sent
            return Problem.of(Codes.A003, self.path, lineno, 1, error=_LONE_SURROGATE)
        text = rec.get("text")
        if not isinstance(text, str) or not text.strip():
            return Problem.of(Codes.A005, self.path, lineno)
        known = {"id", "title", "text", "url", "published", "fetched", "source", "language"}
        try:
            return Article(
                id=Article.make_id(
                    given=str(rec["id"]) if rec.get("id") is not None else None,
                    url=url if isinstance(url := rec.get("url"), str) else None,
                    title=str(rec.get("title") or ""),
                    text=text,
                ),
                **{k: v for k, v in rec.items() if k in known - {"id"} and v is not None},
            )
        except ValidationError as exc:
            return Problem.of(Codes.A006, self.path, lineno, error=_first_error(exc))


class TextFile(FileSource):
    """One article per file; the first non-empty line is its title."""

    def __init__(self, path: Path, max_bytes: int = MAX_LINE_BYTES) -> None:
        super().__init__(path)
        self.max_bytes = max_bytes

    def read(self) -> Iterator[Item]:
        try:
            with self.path.open("rb") as fh:
                data = fh.read(self.max_bytes + 1)
        except OSError as exc:
            yield Problem.of(Codes.A007, self.path, error=exc.strerror)
            return
        if len(data) > self.max_bytes:
            yield Problem.of(Codes.A012, self.path, what="file", max_bytes=self.max_bytes)
            return
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line, col = byte_line_col(data, exc.start)
            yield Problem.of(Codes.A007, self.path, line, col, error=f"not UTF-8: {exc.reason}")
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
