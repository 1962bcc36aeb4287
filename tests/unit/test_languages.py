"""Articles in Turkish, Greek, Spanish, French, Polish, Arabic and Russian: detected, read by
their lexicons, alerted with the language shown. The sentences are our own."""

from __future__ import annotations

from pathlib import Path

import pytest

from borderwatch.core.errors import RuleError
from borderwatch.core.models import Article
from borderwatch.notifiers.sinks.text import headline
from borderwatch.streams.detect import Detector
from borderwatch.streams.reading.languages.detect import detect
from borderwatch.streams.reading.languages.lexicon import fold, load_languages

RULES = Path(__file__).resolve().parents[2] / "rules" / "languages"

CASES = [
    ("tr", "Yunanistan sınırında askerler göçmenlere ateş açtı, iki kişi yaralandı.",
     "border_shooting"),
    ("tr", "Ankara, Suriye ile olan sınır kapısını üç gün boyunca kapattı.", "border_closure"),
    ("el", "Η Βουλγαρία άνοιξε ξανά τα σύνορα για τους πρόσφυγες το πρωί.", "border_opening"),
    ("el", "Τρεις στρατιώτες σκοτώθηκαν σε επίθεση κοντά στο φυλάκιο.", "troop_casualties"),
    ("es", "Los guardias dispararon contra varios migrantes junto a la valla de Melilla.",
     "border_shooting"),
    ("es", "Marruecos cerró la frontera con Argelia durante toda la semana.", "border_closure"),
    ("fr", "Le Niger a rouvert sa frontière avec le Bénin pour les camions de marchandises.",
     "border_opening"),
    ("fr", "Quatre soldats ont été tués lors d'une embuscade dans le nord du pays.",
     "troop_casualties"),
    ("pl", "Litwa zamknęła dwa przejścia graniczne z Białorusią.", "border_closure"),
    ("pl", "Trzech żołnierzy zginęło w wybuchu miny podczas patrolu.", "troop_casualties"),
    ("ar", "أعلنت السلطات فتح معبر الحدود أمام المسافرين صباح اليوم", "border_opening"),
    ("ar", "أطلق حرس الحدود النار على مهاجرين قرب السياج", "border_shooting"),
    ("ru", "Пограничники открыли огонь по мигрантам у границы, двое ранены.", "border_shooting"),
    ("ru", "Грузия закрыла границу с Россией для грузовиков.", "border_closure"),
]  # fmt: skip

QUIET = [
    ("tr", "Belediye yeni bir kütüphane açtı ve çocuklar için kitap okuma günleri düzenledi."),
    ("el", "Ο Έλληνας αθλητής κέρδισε το χρυσό στο Κύπελλο Σκοποβολής."),
    ("es", "Médicos Sin Fronteras abrió una clínica para niños en la capital."),
    ("fr", "Les touristes pourront passer la frontière dès l'ouverture de la saison d'été."),
    ("pl", "Bank centralny obniżył stopy procentowe o pół punktu."),
    ("ar", "افتتحت منظمة أطباء بلا حدود مستشفى جديدا في المدينة"),
    ("ru", "Компания представила новый телефон на выставке в Москве."),
]


def categories(detector: Detector, language: str | None, text: str) -> set[str]:
    article = Article(id="t", text=text, language=language)
    return {a.category for a in detector.alerts(article)}


@pytest.mark.parametrize(("language", "text", "category"), CASES)
def test_each_language_reads_its_categories(
    detector: Detector, language: str, text: str, category: str
) -> None:
    assert category in categories(detector, language, text)


@pytest.mark.parametrize(("language", "text"), QUIET)
def test_traps_and_plain_news_stay_quiet(detector: Detector, language: str, text: str) -> None:
    assert categories(detector, language, text) == set()


@pytest.mark.parametrize(("language", "text", "category"), CASES)
def test_undeclared_language_is_detected(
    detector: Detector, language: str, text: str, category: str
) -> None:
    assert detector.language_of(Article(id="t", text=text)) == language


def test_english_stays_english(detector: Detector) -> None:
    text = "Greek police pushed back migrants at the Evros border on Sunday."
    assert detector.language_of(Article(id="t", text=text)) == "en"
    assert detect(text, load_languages(RULES), "en-GB") == "en"


def test_alert_shows_language_keeps_evidence_and_marks_words(detector: Detector) -> None:
    text = "Грузия закрыла границу с Россией для грузовиков."
    (alert,) = detector.alerts(Article(id="ru1", text=text, language="ru"))
    assert alert.category == "border_closure"
    assert alert.article.language == "ru"
    assert headline(alert).endswith("[ru]")
    assert alert.evidence.sentence == text
    marked = {s.text for s in alert.evidence.spans}
    assert {"закрыла", "границу"} <= marked
    assert set(alert.facts.countries) >= {"GEO", "RUS"} or "RUS" in alert.facts.countries


def test_counts_from_number_words_and_digits(detector: Detector) -> None:
    a = detector.analyse(Article(id="p", text=CASES[9][1], language="pl"))
    assert [(c.count, c.who, c.outcome) for c in a.facts.casualties] == [(3, "soldier", "killed")]
    b = detector.analyse(Article(id="t", text="Saldırıda 12 asker şehit oldu.", language="tr"))
    assert [(c.count, c.who) for c in b.facts.casualties] == [(12, "soldier")]


def test_crossings_in_local_script_share_the_gazetteer_id(detector: Detector) -> None:
    a = detector.analyse(
        Article(id="g", text="Η αστυνομία απώθησε μετανάστες στις Καστανιές.", language="el")
    )
    assert a.facts.crossings == ["pazarkule"]
    assert a.facts.border is not None and set(a.facts.border.countries) == {"TUR", "GRC"}


def test_fold_joins_accents_cases_and_letter_forms() -> None:
    assert fold("Σύνορα") == fold("συνορα")
    assert fold("SINIR") == fold("sınır")
    assert fold("إغلاق") == fold("اغلاق")


def test_bad_lexicon_is_a_located_problem(tmp_path: Path) -> None:
    (tmp_path / "xx.yaml").write_text(
        "language: xx\nname: X\nscript: latin\nwords: {border: [b]}\n"
        "categories:\n  border_opening:\n    patterns: [[border, nope]]\n  surfing: "
        "{patterns: [[border]]}\nextra: 1\n",
        encoding="utf-8",
    )
    with pytest.raises(RuleError) as err:
        load_languages(tmp_path)
    text = str(err.value)
    assert "xx.yaml:" in text and "R003" in text
    assert "extra" in text


def test_file_name_must_be_its_language(tmp_path: Path) -> None:
    (tmp_path / "de.yaml").write_text(
        "language: nl\nname: X\nscript: latin\nwords: {b: [b]}\ncategories: {}\n",
        encoding="utf-8",
    )
    with pytest.raises(RuleError, match=r"de\.yaml:1:\d+: \[R003\].*file name"):
        load_languages(tmp_path)
