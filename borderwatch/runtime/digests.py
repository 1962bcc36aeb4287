"""Scheduled Slack digests beside the live notifier (``run`` and ``notify``), and the digest
on demand (``borderwatch digest``), both through the process's Slack notifier."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from borderwatch.core.settings import Settings
from borderwatch.notifiers.base import Notifier
from borderwatch.notifiers.sinks.slack.digest import DigestLog, Digests, DigestSchedule, targets
from borderwatch.notifiers.sinks.slack.notifier import SlackNotifier


def digest_log(settings: Settings) -> DigestLog:
    return DigestLog(settings.state_path("digests.sqlite3"))


def digests_of(notifiers: list[Notifier]) -> Digests | None:
    slack = next((n for n in notifiers if isinstance(n, SlackNotifier) and n.stories), None)
    return Digests(slack, slack.feedback) if slack is not None else None


@contextmanager
def digests_scheduled(settings: Settings,
                      notifiers: list[Notifier]) -> Iterator[DigestSchedule | None]:  # fmt: skip
    """The digest schedule's thread while the block runs; None when no channel has one."""
    digests = digests_of(notifiers)
    scheduled = [t for t in targets(settings) if t.times]
    if digests is None or not scheduled:
        yield None
        return
    schedule = DigestSchedule(digests, scheduled, digest_log(settings)).start()
    try:
        yield schedule
    finally:
        schedule.close()
