"""What every connector is: a named source of articles that reports, rather than raises, bad input.

A broken line, file or feed must never stop the others, and must never vanish silently, so a
source yields ``Problem`` items in-line with the articles; the caller decides how to report.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
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
