"""Countries in every language: pycountry's names read in their case forms, the lexicon's
stems first, the longest name winning, and one story giving the same codes and crossing in
Greek, Turkish and English. The sentences are our own."""

from __future__ import annotations

from pathlib import Path

import pytest

from borderwatch.core.models import Article
from borderwatch.streams.detect import Detector
from borderwatch.streams.reading.gazetteer import Gazetteer
from borderwatch.streams.reading.languages.countries import NameTable, country_names
from borderwatch.streams.reading.languages.lexicon import LanguageLexicon, load_languages
from borderwatch.streams.reading.languages.reader import ForeignReader
from borderwatch.streams.rules.load import load_rules

RULES = Path(__file__).resolve().parents[2] / "rules"
LEXICONS = load_languages(RULES / "languages", load_rules([RULES]).list_languages)
GAZETTEER = Gazetteer.load(RULES / "gazetteers")
READER = ForeignReader(LEXICONS, GAZETTEER)


def bare(language: str) -> LanguageLexicon:
    """The lexicon without its own country stems: what pycountry and the gazetteer give."""
    return LEXICONS[language].model_copy(update={"countries": {}})


def codes(table: NameTable, language: str, text: str) -> list[str]:
    found: list[str] = []
    for sentence in READER.sentences(language, READER.nlp(language)(text)):
        found += [c for c in table.codes(sentence.tokens) if c not in found]
    return found


PYCOUNTRY = [
    ("tr", "Gürcistan'dan gelen tır şoförleri sınır kapısında iki gündür bekliyor.", "GEO"),
    ("el", "Οι αρχές της Αλβανίας άνοιξαν έναν νέο σταθμό ελέγχου.", "ALB"),
    ("es", "Los camioneros de Túnez esperan desde el lunes en la aduana.", "TUN"),
    ("fr", "Des éleveurs venus de Mauritanie ont franchi le fleuve à l'aube.", "MRT"),
    ("pl", "Ciężarówki z Rumunii czekają w kolejce od rana.", "ROU"),
    ("ar", "وصلت شاحنات قادمة من الأردن إلى المعبر صباح اليوم", "JOR"),
    ("ru", "Грузовики из Румынии стоят в очереди с утра.", "ROU"),
]


@pytest.mark.parametrize(("language", "text", "code"), PYCOUNTRY)
def test_a_country_no_lexicon_names_is_read_in_each_language(
    language: str, text: str, code: str
) -> None:
    assert codes(country_names(language, bare(language), GAZETTEER), language, text) == [code]


@pytest.mark.parametrize(
    ("language", "text", "code"),
    [
        ("el", "Η κυβέρνηση της Αλβανία είπε", "ALB"),  # nominative, as a headline writes it
        ("el", "Ο πρέσβης της Ινδονησίας μίλησε", "IDN"),
        ("pl", "Rząd Rumunią się nie zajmował.", "ROU"),
        ("ru", "Переговоры с Румынией отложены.", "ROU"),
        ("ru", "Граница с Чадом закрыта.", "TCD"),
        ("tr", "Çad'da seçimler ertelendi.", "TCD"),
        ("ar", "وقالت وزارة الخارجية بالأردن", "JOR"),
        ("fr", "La frontière avec la Guinée-Bissau reste fermée.", "GNB"),
    ],
)
def test_declined_and_prefixed_forms(language: str, text: str, code: str) -> None:
    assert code in codes(country_names(language, bare(language), GAZETTEER), language, text)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("tr", "Kamyonlar ana caddede saatlerce bekledi."),  # cadde is not Çad
        ("tr", "Polis biber gazı sıktı, kalabalık gaza boğuldu."),  # "to the gas", not Gaza
        ("ru", "Того же мнения придерживается самое большое число жителей."),  # not Togo, Samoa
        ("fr", "Le parti a fêté l'indépendance sur la place."),  # not Inde
        ("pl", "Mali chłopcy zjedli danie dnia."),  # "small", "a dish": not Mali, Denmark
        ("es", "El paso fronterizo abrió a las seis."),  # "the crossing", not El Paso, Texas
    ],
)
def test_short_and_everyday_words_name_no_country(language: str, text: str) -> None:
    assert codes(country_names(language, LEXICONS[language], GAZETTEER), language, text) == []


def test_the_longest_name_wins_over_a_shorter_one_inside_it() -> None:
    es = country_names("es", LEXICONS["es"], GAZETTEER)
    assert codes(es, "es", "Miles de refugiados de Sudán del Sur cruzaron ayer.") == ["SSD"]
    el = country_names("el", LEXICONS["el"], GAZETTEER)  # the lexicon's ινδ is India
    assert codes(el, "el", "Σεισμός στην Ινδονησία.") == ["IDN"]
    assert codes(el, "el", "Σεισμός στην Ινδία.") == ["IND"]


def test_countries_come_in_order_of_mention() -> None:
    pl = country_names("pl", LEXICONS["pl"], GAZETTEER)
    assert codes(pl, "pl", "Rumunia i Mołdawia podpisały umowę.") == ["ROU", "MDA"]
    assert codes(pl, "pl", "Mołdawia i Rumunia podpisały umowę.") == ["MDA", "ROU"]


def test_the_lexicon_keeps_its_stems_and_its_codes_first() -> None:
    table = country_names("tr", LEXICONS["tr"], GAZETTEER)
    own = [n.code for n in table][: sum(len(v) for v in LEXICONS["tr"].countries.values())]
    assert own[0] == next(iter(LEXICONS["tr"].countries))
    assert codes(table, "tr", "Yunan polisi ve Türk askerleri") == ["GRC", "TUR"]  # demonyms


def test_a_region_in_latin_letters_places_its_country() -> None:
    pl = country_names("pl", bare("pl"), GAZETTEER)
    assert codes(pl, "pl", "Uchodźcy ze stanu Rakhine dotarli do obozów.") == ["MMR"]
    ru = country_names("ru", bare("ru"), GAZETTEER)  # written in Cyrillic: no Latin names
    assert codes(ru, "ru", "Беженцы из Rakhine") == []


STORY = [
    ("en", "Police close the border at Kastanies",
     "Greek police closed the border at Kastanies on Sunday and pushed back hundreds of "
     "migrants arriving from Turkey."),
    ("el", "Η αστυνομία έκλεισε τα σύνορα στις Καστανιές",
     "Η ελληνική αστυνομία έκλεισε τα σύνορα στις Καστανιές την Κυριακή και απώθησε "
     "εκατοντάδες μετανάστες που έφταναν από την Τουρκία."),
    ("tr", "Yunanistan Pazarkule'de sınırı kapattı",
     "Yunanistan polisi pazar günü Pazarkule'de sınırı kapattı ve Türkiye'den gelen "
     "yüzlerce göçmeni geri itti."),
]  # fmt: skip


def test_one_story_in_greek_turkish_and_english_has_the_same_codes_and_crossing(
    detector: Detector,
) -> None:
    read = {}
    for language, title, text in STORY:
        alerts = detector.alerts(Article(id=language, title=title, text=text, language=language))
        (alert,) = [a for a in alerts if a.category == "border_closure"]
        border = alert.facts.border
        assert border is not None
        read[language] = (set(alert.facts.countries), alert.facts.crossings, border.crossing,
                          set(border.countries))  # fmt: skip
    assert read["el"] == read["en"] == read["tr"]
    assert read["en"] == ({"GRC", "TUR"}, ["pazarkule"], "pazarkule", {"GRC", "TUR"})
