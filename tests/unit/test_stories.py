"""Story grouping: same event from many outlets is one story; different events are not."""

from __future__ import annotations

from pathlib import Path

from borderwatch.core.models import Alert, ArticleRef, Border, Evidence, Facts
from borderwatch.notifiers.sinks.slack.stories import StoryBook
from tests.support.factories import make_alert

HOUR = 3600.0


def alert(
    alert_id: str,
    *,
    category: str = "border_shooting",
    countries: list[str] | None = None,
    crossing: str | None = None,
    title: str = "Guards fire on migrants",
    sentence: str = "Border guards opened fire on migrants.",
    source: str = "Wire",
) -> Alert:
    base = make_alert(title=title, sentence=sentence)
    border = Border(countries=countries or [], crossing=crossing) if crossing else None
    return base.model_copy(
        update={
            "alert_id": alert_id,
            "category": category,
            "article": ArticleRef(id=alert_id, title=title, source=source),
            "evidence": Evidence(sentence=sentence),
            "facts": Facts(countries=countries or [], border=border),
        }
    )


def test_overlapping_countries_within_the_window_join_one_story(tmp_path: Path) -> None:
    book = StoryBook(tmp_path / "s.db")
    first, new1 = book.add(alert("a1", countries=["TUR", "SYR"], source="Wire A"), now=0)
    second, new2 = book.add(alert("a2", countries=["SYR"], source="Wire B"), now=HOUR)
    assert (new1, new2) == (True, False)
    assert second.story_id == first.story_id
    assert second.sources == ["Wire A", "Wire B"] and second.source_count == 2
    # after the window closes, the same countries start a new story
    third, new3 = book.add(alert("a3", countries=["TUR"]), now=HOUR + 25 * HOUR)
    assert new3 and third.story_id != first.story_id


def test_other_category_or_other_countries_are_other_stories(tmp_path: Path) -> None:
    book = StoryBook(tmp_path / "s.db")
    a, _ = book.add(alert("a1", countries=["TUR"], title="t1", sentence="one"), now=0)
    b, new_b = book.add(alert("b1", countries=["TUR"], category="border_closure"), now=1)
    c, new_c = book.add(alert("c1", countries=["MEX"], title="t3", sentence="three"), now=2)
    assert new_b and new_c and len({a.story_id, b.story_id, c.story_id}) == 3


def test_same_crossing_joins(tmp_path: Path) -> None:
    book = StoryBook(tmp_path / "s.db")
    a, _ = book.add(alert("a1", countries=["TUR", "GRC"], crossing="pazarkule"), now=0)
    b, new = book.add(alert("a2", countries=["GRC", "TUR"], crossing="pazarkule"), now=5)
    assert not new and a.story_id == b.story_id


def test_near_duplicate_text_joins_without_shared_countries(tmp_path: Path) -> None:
    book = StoryBook(tmp_path / "s.db")
    text = "Border guards opened fire on a group of migrants trying to cross the river at dawn"
    a, _ = book.add(alert("a1", countries=[], title="Guards fire at river", sentence=text), now=0)
    b, new = book.add(
        alert("a2", countries=[], title="Guards fire at river", sentence=text + ", police said"),
        now=10,
    )
    c, new_c = book.add(
        alert("a3", countries=[], title="Quiet day", sentence="Talks resumed in the capital"),
        now=20,
    )
    assert not new and b.story_id == a.story_id
    assert new_c and c.story_id != a.story_id


def test_stories_survive_a_restart(tmp_path: Path) -> None:
    book = StoryBook(tmp_path / "s.db")
    story, _ = book.add(
        alert("a1", countries=[], sentence="guards opened fire on migrants at the fence today"),
        now=0,
    )
    story.parent_ts = "123.456"
    story.channel = "#ops"
    book.save(story)
    book.close()
    again = StoryBook(tmp_path / "s.db")
    # the near-duplicate index is rebuilt from the database
    joined, new = again.add(
        alert(
            "a2",
            countries=[],
            sentence="guards opened fire on migrants at the fence today, officials said",
        ),
        now=60,
    )
    assert not new and joined.story_id == story.story_id and joined.parent_ts == "123.456"
    assert again.add(alert("a1", countries=[]), now=70)[0].alert_ids == ["a1", "a2"]
