"""Hot reload of the rules directory in a running worker, keeping the last good set.

Rule authors edit files while the system runs. A change is validated as a whole set (files,
lists, gazetteers and every rule's examples); only a valid set replaces the old one, in one
assignment, so an article is always matched by exactly one complete rule set. A bad edit is
logged with its located problems, once, and the old set keeps producing alerts.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from borderwatch.core.errors import Problem, RuleError
from borderwatch.streams.detect import Detector

log = logging.getLogger(__name__)


def directory_fingerprint(root: Path) -> str:
    """A hash of every YAML file's name and content under ``root`` (cheap: a few KB)."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.y*ml")):
        if path.suffix not in (".yaml", ".yml"):
            continue
        try:
            data = path.read_bytes()
        except OSError:  # removed between listing and reading: the next poll sees the result
            data = b"\0unreadable"
        digest.update(str(path.relative_to(root)).encode() + b"\0" + data + b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class ReloadOutcome:
    accepted: bool
    version: str
    problems: tuple[Problem, ...] = ()


class RulesWatcher:
    def __init__(
        self,
        rules_dir: Path,
        current: Detector,
        build: Callable[[], Detector],
        on_swap: Callable[[Detector], None],
    ) -> None:
        self.rules_dir = rules_dir
        self.current = current
        self._build = build
        self._on_swap = on_swap
        self._seen = directory_fingerprint(rules_dir)

    def poll(self) -> ReloadOutcome | None:
        """Check for a change; None when nothing changed since the last poll."""
        fingerprint = directory_fingerprint(self.rules_dir)
        if fingerprint == self._seen:
            return None
        self._seen = fingerprint
        old = self.current.rules.version
        try:
            candidate = self._build()
        except RuleError as exc:
            log.error(
                "rules change in %s rejected; still running rules %s:\n%s",
                self.rules_dir,
                old,
                "\n".join(str(p) for p in exc.problems),
            )
            return ReloadOutcome(False, old, tuple(exc.problems))
        if candidate.rules.version == old:
            return None
        self.current = candidate
        self._on_swap(candidate)
        log.warning(
            "rules reloaded: version %s -> %s (%d rules)",
            old,
            candidate.rules.version,
            len(candidate.rules.rules),
        )
        return ReloadOutcome(True, candidate.rules.version)
