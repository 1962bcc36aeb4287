from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from borderwatch.core.models import (
    Article,
    Marker,
    parse_alert_message,
    parse_article_message,
)
from tests.support.factories import make_alert


def test_article_round_trips_through_the_wire_format() -> None:
    a = Article(id="x1", title="T", text="Body.", published=datetime(2020, 2, 28, 6, 0))
    back = parse_article_message(a.to_bytes())
    assert back == a
    assert isinstance(back, Article)
    assert back.published is not None and back.published.tzinfo == UTC


def test_article_id_prefers_source_id_then_url_then_content() -> None:
    assert Article.make_id(given=" guid-7 ", url="https://a/b", title="t", text="x") == "guid-7"
    by_url = Article.make_id(given=None, url="https://a/b", title="t", text="x")
    assert by_url == Article.make_id(given=None, url="https://a/b", title="other", text="y")
    by_text = Article.make_id(given=None, url=None, title="t", text="x")
    assert by_text != Article.make_id(given=None, url=None, title="t", text="z")


def test_unknown_fields_and_types_are_rejected() -> None:
    with pytest.raises(ValidationError):
        parse_article_message(b'{"type": "article", "id": "1", "text": "t", "colour": "red"}')
    with pytest.raises(ValidationError):
        parse_article_message(b'{"type": "tweet", "id": "1", "text": "t"}')
    with pytest.raises(ValidationError):
        parse_article_message(b'{"type": "article", "schema_version": 2, "id": "1", "text": "t"}')


def test_marker_and_alert_parse_by_type() -> None:
    m = Marker(run_id="r", source_partition=2, count=5)
    assert parse_article_message(m.to_bytes()) == m
    alert = make_alert()
    assert parse_alert_message(alert.to_bytes()) == alert
    assert parse_alert_message(m.to_bytes()) == m


def test_body_includes_title_once() -> None:
    assert Article(id="1", title="Head", text="Text.").body == "Head\n\nText."
    assert Article(id="1", title="Head", text="Head\n\nText.").body == "Head\n\nText."


def test_control_characters_from_a_feed_never_reach_a_reader() -> None:
    """An ESC sequence in a title would recolour or clear an operator's terminal; NUL and C1
    codes break logs. They are dropped when the article is accepted; text keeps its lines."""
    from borderwatch.core.models import Article

    article = Article(
        id="x",
        title="\x1b[2J\x1b[31mGuards\x00 fire\x7f",
        text="line one\n\tline\x9b two\r\n",
        source="Wire\x07",
    )
    assert article.title == "[2J[31mGuards fire"
    assert article.text == "line one\n\tline two\n"
    assert article.source == "Wire"


def test_an_alert_with_frames_and_confidence_round_trips() -> None:
    from borderwatch.core.models import BorderAction, Shooting

    action = BorderAction(actor="TUR", action="open", for_="refugees", border=["TUR", "GRC"])
    facts = make_alert().facts.model_copy(
        update={"shootings": [Shooting(by="soldier", at="migrant")], "border_actions": [action]}
    )
    alert = make_alert().model_copy(
        update={"facts": facts, "confidence": 0.3, "band": "unconfirmed"}
    )
    raw = alert.to_bytes()
    assert b'"for":"refugees"' in raw and parse_alert_message(raw) == alert
    assert BorderAction.model_validate({"action": "close", "for": "trade"}).for_ == "trade"
    wire = alert.model_dump(mode="json")
    for bad in ({"confidence": 1.2}, {"band": "sure"}):
        with pytest.raises(ValidationError):
            parse_alert_message(json.dumps(wire | bad).encode())
