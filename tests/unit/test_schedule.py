"""Replay selection and pacing, checked on the schedule rather than the wall clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from borderwatch.connectors.schedule import Pacer, TimeFilter, parse_speed, parse_when
from borderwatch.core.errors import BorderwatchError
from borderwatch.core.models import Article
from tests.support.factories import FakeClock

T0 = datetime(2020, 2, 27, 10, 0, tzinfo=UTC)


def art(i: int, minutes: float | None) -> Article:
    published = T0 + timedelta(minutes=minutes) if minutes is not None else None
    return Article(id=f"a{i}", text="x", published=published)


def test_time_filter_on_published() -> None:
    f = TimeFilter(since=parse_when("2020-02-27T10:30Z"), until=parse_when("2020-02-27T12:00"))
    kept = [
        a.id for a in (art(1, 0), art(2, 30), art(3, 119), art(4, 120), art(5, None)) if f.keep(a)
    ]
    assert kept == ["a2", "a3"]  # since is inclusive, until exclusive
    assert (f.outside, f.undated) == (2, 1)
    assert TimeFilter().keep(art(6, None))  # no filter: undated articles go too


def test_time_filter_prefers_the_time_a_source_knows() -> None:
    """A topic record without a published time is judged by its own timestamp."""
    f = TimeFilter(since=T0, until=T0 + timedelta(hours=1))
    assert f.keep(art(1, None), when=T0 + timedelta(minutes=5))
    assert not f.keep(art(2, 10), when=T0 + timedelta(hours=2))
    assert (f.outside, f.undated) == (1, 0)


def test_speed_factor_schedules_send_times() -> None:
    clock = FakeClock()
    pacer = Pacer(speed=60.0, clock=clock, sleep=clock.sleep)
    sent = [a.id for a in pacer.pace([art(1, 0), art(2, 10), art(3, 5), art(4, 70)])]
    assert sent == ["a1", "a2", "a3", "a4"]
    # 10 minutes at 60x is 10 s; an older article after a newer one goes at once
    assert pacer.planned == [0.0, 10.0, 5.0, 70.0]
    assert clock.slept == [10.0, 60.0]


def test_max_speed_never_waits() -> None:
    pacer = Pacer(speed=None, clock=lambda: 0.0, sleep=lambda s: pytest.fail("slept"))
    assert len(list(pacer.pace([art(1, 0), art(2, 600)]))) == 2
    assert pacer.planned == [0.0, 0.0]


@pytest.mark.parametrize(("text", "code"), [("fast", "P002"), ("0", "P002"), ("-2", "P002")])
def test_bad_speed(text: str, code: str) -> None:
    with pytest.raises(BorderwatchError) as info:
        parse_speed(text)
    assert info.value.problems[0].code == code


def test_bad_time() -> None:
    with pytest.raises(BorderwatchError) as info:
        parse_when("last February")
    assert info.value.problems[0].code == "P001"
