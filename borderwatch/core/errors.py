"""Errors that point at the thing that is wrong.

Every user-facing problem carries a stable code (so docs and searches can refer to it even
when the wording changes) and, where it comes from a file, ``path:line:col``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One located problem in some input (a rule file, an archive line, a feed)."""

    code: str
    message: str
    path: str | Path | None = None
    line: int | None = None
    col: int | None = None

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = str(self.path)
            if self.line is not None:
                where += f":{self.line}"
                if self.col is not None:
                    where += f":{self.col}"
            where += ": "
        return f"{where}[{self.code}] {self.message}"


class BorderwatchError(Exception):
    """An error that is the user's to fix; the CLI prints it without a traceback."""

    def __init__(self, problems: Problem | list[Problem]) -> None:
        self.problems = problems if isinstance(problems, list) else [problems]
        super().__init__("\n".join(str(p) for p in self.problems))


class RuleError(BorderwatchError):
    """The rule set cannot be loaded; the running system keeps its last good rules."""


class BrokerError(BorderwatchError):
    """The Kafka broker could not be started, reached or prepared."""
