"""A story reported in English and in Greek (or Turkish) is one Slack thread: the real
detector reads both, the notifier files them against the fake Slack, and the second report
is a reply under the first, not a new parent. The sentences are our own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from borderwatch.core.models import Alert, Article
from borderwatch.notifiers.sinks.slack.notifier import SlackNotifier, ThreadPolicy
from borderwatch.notifiers.sinks.slack.routing import ChannelRateLimiter
from borderwatch.notifiers.sinks.slack.stories import StoryBook
from borderwatch.streams.detect import Detector
from tests.support.fakeslack import FakeSlack

AT = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
ENGLISH = Article(
    id="wire-en", url="https://wire.example/evros", source="Wire EN", language="en",
    published=AT, title="Police close the border at Kastanies",
    text="Greek police closed the border at Kastanies on Sunday and pushed back hundreds of "
         "migrants arriving from Turkey.",
)  # fmt: skip
REPORTS = {
    "el": Article(
        id="wire-el", url="https://wire.example/el/evros", source="Wire EL", language="el",
        published=AT + timedelta(hours=2), title="Η αστυνομία έκλεισε τα σύνορα στις Καστανιές",
        text="Η ελληνική αστυνομία έκλεισε τα σύνορα στις Καστανιές την Κυριακή και απώθησε "
             "εκατοντάδες μετανάστες που έφταναν από την Τουρκία.",
    ),
    "tr": Article(
        id="wire-tr", url="https://wire.example/tr/evros", source="Wire TR", language="tr",
        published=AT + timedelta(hours=3), title="Yunanistan Pazarkule'de sınırı kapattı",
        text="Yunanistan polisi pazar günü Pazarkule'de sınırı kapattı ve Türkiye'den gelen "
             "yüzlerce göçmeni geri itti.",
    ),
}  # fmt: skip
# The same kind of event elsewhere, the same morning: another story, in any language.
ELSEWHERE = Article(
    id="wire-pl", url="https://wire.example/pl/kuznica", source="Wire PL", language="pl",
    published=AT + timedelta(hours=1), title="Polska zamknęła przejście w Kuźnicy",
    text="Polska zamknęła w niedzielę przejście graniczne w Kuźnicy na granicy z Białorusią.",
)  # fmt: skip


def closure(detector: Detector, article: Article) -> Alert:
    (alert,) = [a for a in detector.alerts(article) if a.category == "border_closure"]
    return alert


def notifier(fake: FakeSlack, tmp_path: Path) -> SlackNotifier:
    return SlackNotifier(
        SecretStr("xoxb-languages"), "#ops", fake.base_url, max_retries=1,
        limiter=ChannelRateLimiter(per_second=1000), stories=StoryBook(tmp_path / "stories.db"),
        policy=ThreadPolicy(reply_gap_s=0, escalate_sources=99),
    )  # fmt: skip


@pytest.mark.parametrize("language", sorted(REPORTS))
def test_an_english_and_a_foreign_report_of_one_event_are_one_thread(
    detector: Detector, fake_slack: FakeSlack, tmp_path: Path, language: str
) -> None:
    slack = notifier(fake_slack, tmp_path)
    parent_ts = slack.send(closure(detector, ENGLISH))
    slack.send(closure(detector, REPORTS[language]))
    root, reply = fake_slack.posts()
    assert "thread_ts" not in root.body
    assert reply.body["thread_ts"] == parent_ts
    (update,) = fake_slack.by_method("chat.update")
    assert update.body["ts"] == parent_ts
    assert "2 source(s)" in str(update.body["blocks"])


def test_the_foreign_report_first_then_english_is_one_thread_too(
    detector: Detector, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    slack = notifier(fake_slack, tmp_path)
    parent_ts = slack.send(closure(detector, REPORTS["el"]))
    slack.send(closure(detector, ENGLISH))
    slack.send(closure(detector, REPORTS["tr"]))
    root, *replies = fake_slack.posts()
    assert "thread_ts" not in root.body
    assert [r.body["thread_ts"] for r in replies] == [parent_ts, parent_ts]


def test_another_border_the_same_morning_is_another_thread(
    detector: Detector, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    slack = notifier(fake_slack, tmp_path)
    slack.send(closure(detector, ENGLISH))
    slack.send(closure(detector, ELSEWHERE))
    slack.send(closure(detector, REPORTS["el"]))
    roots = [p for p in fake_slack.posts() if "thread_ts" not in p.body]
    assert len(roots) == 2
