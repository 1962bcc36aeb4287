"""What every connector is: a named source of articles that reports, rather than raises, bad input.

A broken line, file or feed must never stop the others, and must never vanish silently, so a
source yields ``Problem`` items in-line with the articles; the caller decides how to report.
"""

from __future__ import annotations

import html
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

from borderwatch.core.errors import Problem
from borderwatch.core.models import Article

Item = Article | Problem


class Source(ABC):
    """A source of articles (a file, a directory, a feed)."""

    name: str

    @abstractmethod
    def read(self) -> Iterator[Item]:
        """Yield articles and, in place, problems with the input that was skipped."""


class FileSource(Source):
    """A source backed by one file, named by its path in every problem it reports."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = str(path)


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
