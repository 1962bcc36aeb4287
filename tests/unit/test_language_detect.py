"""Language per article: the declared one first, else py3langid's guess; a language nobody
reads is named and counted, never parsed as English. The sentences are our own."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY

from borderwatch.core.models import Article
from borderwatch.streams.detect import Detector
from borderwatch.streams.reading.languages import detect as language_detect
from borderwatch.streams.reading.languages.detect import detect, plainly_english

READ = ("tr", "el", "es", "fr", "pl", "ar", "ru")
GERMAN = (
    "Die Grenzpolizei hat am Sonntag den Übergang nach Polen geschlossen, nachdem Hunderte "
    "Menschen versucht hatten, über die Felder in das Land zu gelangen. Soldaten wurden "
    "dorthin verlegt, und die Regierung kündigte weitere Kontrollen an."
)
ENGLISH = (
    "Border guards closed the crossing on Sunday after hundreds of people tried to walk "
    "across the fields into the country. Soldiers were sent to the area."
)


def unread(language: str) -> float:
    value = REGISTRY.get_sample_value(
        "borderwatch_articles_unread_language_total", {"language": language}
    )
    return value or 0.0


def test_the_declared_language_wins_over_the_text() -> None:
    assert detect(ENGLISH, READ, "pl-PL") == "pl"
    assert detect(GERMAN, READ, "en_GB") == "en"


def test_english_and_an_unread_language_are_told_apart() -> None:
    assert detect(ENGLISH, READ) == "en"
    assert detect(GERMAN, READ) == "de"
    assert detect("", READ) == "en"


def test_an_unsure_guess_falls_back_to_a_readable_language() -> None:
    # Three words of English: the open model's best may be another language, unsure; the
    # guess then comes from the languages Borderwatch reads.
    guess = detect("Border reopens today", READ)
    assert guess in {"en", *READ}


def test_an_article_nobody_reads_raises_nothing_and_is_counted(detector: Detector) -> None:
    before = unread("de")
    english = detector.alerts(Article(id="en", text=ENGLISH))
    german = detector.alerts(Article(id="de", text=GERMAN))
    assert [a.category for a in english] == ["border_closure"]
    assert german == []
    assert unread("de") == before + 1
    assert detector.language_of(Article(id="de", text=GERMAN)) == "de"


WIRE = (
    "Officials said on Monday that the two governments had agreed to keep the crossing "
    "open for trucks carrying food and medicine, and that the first convoy of the week was "
    "expected to leave the depot by noon. Drivers were told to carry their papers with them "
    "at all times, and the customs office said it would add staff for the rest of the month."
)
SPANISH_PLAIN = (  # in ASCII letters only, as a careless feed might send it
    "Los agentes de la guardia civil dijeron el lunes que el paso fronterizo seguira abierto "
    "para los camiones que llevan comida y medicinas, y que el primer convoy de la semana "
    "saldra del deposito antes del mediodia. Los conductores deben llevar sus papeles en todo "
    "momento, y la aduana dijo que sumara personal durante el resto del mes."
)


def test_plain_english_is_known_without_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_model() -> None:
        raise AssertionError("the model was asked about plain English")

    monkeypatch.setattr(language_detect, "_identifier", no_model)
    assert plainly_english(WIRE) and detect(WIRE, READ) == "en"
    typographic = WIRE.replace("said", "said\u00a0\u2014").replace(
        "the first", "\u201cthe first\u201d"
    )
    assert plainly_english(typographic)


def test_other_text_is_left_to_the_model() -> None:
    assert not plainly_english(SPANISH_PLAIN)  # ASCII, but none of English's function words
    assert detect(SPANISH_PLAIN, READ) == "es"
    assert not plainly_english(WIRE.replace("governments", "gouvernéments"))  # a letter
    assert not plainly_english("Border reopens today for the trucks of the aid")  # too short
    assert not plainly_english(ENGLISH.split(".")[0])  # one sentence: the model's call
