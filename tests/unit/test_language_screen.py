"""The screen of the languages a lexicon reads: it only ever says "maybe" (alerts are the same
with and without it, on our own texts and on the rule examples), it keeps the proximity reader
off plain news, and the words it looks for are every word the reader's patterns can need."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import pytest

from borderwatch.core.models import Alert, Article
from borderwatch.streams.detect import Detector
from borderwatch.streams.reading.languages.reader import ForeignReader, Reading
from borderwatch.streams.reading.languages.screen import GAP, LanguageScreen
from borderwatch.streams.rules.model import Rule

# Our own sentences: events, near-misses (trade, tourists, demands, denials, sport, parades,
# history) and plain news of every kind, a few with two paragraphs.
TEXTS: dict[str, list[str]] = {
    "tr": [
        "Yunanistan sınır kapısını savaştan kaçan ailelere açtı.",
        "Sınır kapısı yalnızca tırlara yeniden açıldı.",
        "Bulgaristan, göçmenlerin geçişini engellemek için sınırı kapattı.",
        "Muhalefet, İran sınırının kapatılmasını talep etti.",
        "Sınır muhafızları kaçakçılara ateş açtı, bir kişi yaralandı.",
        "Avcılar sınır köyünün yakınında domuz avladı.",
        "Şırnak'ta mayın patlaması sonucu üç asker hayatını kaybetti.",
        "Askerler Cumhuriyet Bayramı'nda geçit töreni yaptı.",
        "Merkez Bankası faizleri sabit tuttu.\n\nEnflasyon beklentisi yüzde 40 civarında.",
        "İstanbul'da yağmur hayatı olumsuz etkiledi; köprüde trafik durdu.",
        "Galatasaray deplasmanda 2-1 kazandı.",
        "Hükümet, sınır bölgesindeki çiftçilere yeni destek paketi açıkladı.",
    ],
    "el": [
        "Η Αλβανία άνοιξε τα σύνορα σε εκατοντάδες πρόσφυγες.",
        "Το τελωνείο άνοιξε ξανά μόνο για εμπορεύματα.",
        "Η Τουρκία έκλεισε το συνοριακό πέρασμα των Κήπων.",
        "Οι κάτοικοι ζητούν να κλείσουν τα σύνορα.",
        "Αστυνομικοί πυροβόλησαν κατά μεταναστών στον Έβρο.",
        "Το 1974 στρατιώτες σκοτώθηκαν στα σύνορα.",
        "Ένας στρατιώτης τραυματίστηκε σε ανταλλαγή πυρών.",
        "Στρατιώτες παρήλασαν μπροστά από τον Πρόεδρο.",
        "Το Χρηματιστήριο Αθηνών έκλεισε με άνοδο 1,2%.",
        "Ο Ολυμπιακός νίκησε τον Παναθηναϊκό στο ντέρμπι.",
        "Καύσωνας πλήττει την Κρήτη.\n\nΟι θερμοκρασίες θα φτάσουν τους 42 βαθμούς.",
        "Νέο μουσείο εγκαινιάστηκε στη Θεσσαλονίκη.",
    ],
    "es": [
        "Argelia abrió la frontera a los refugiados que huían de los combates.",
        "La aduana se reabrió solo para camiones de fruta.",
        "España cerró el paso fronterizo de Melilla durante dos días.",
        "La oposición pide cerrar la frontera sur.",
        "Guardias dispararon contra un grupo de migrantes junto a la valla.",
        "El ministerio negó que los agentes hubieran disparado contra nadie.",
        "Dos soldados murieron en un ataque contra su patrulla.",
        "Los soldados desfilaron ante el rey en Madrid.",
        "El Banco de España rebaja su previsión de crecimiento.",
        "El Real Madrid ganó la liga por tercera vez en cinco años.",
        "Llueve en Galicia.\n\nLas carreteras del norte siguen abiertas al tráfico.",
        "Una nueva línea de metro une el aeropuerto con el centro.",
    ],
    "fr": [
        "La Tunisie a rouvert sa frontière aux familles fuyant la Libye.",
        "Le poste-frontière a rouvert pour les camions de marchandises.",
        "L'Algérie a fermé sa frontière avec le Maroc.",
        "Des maires réclament la fermeture de la frontière.",
        "Des gardes ont tiré sur des migrants qui franchissaient la rivière.",
        "En 2015, des soldats ont été tués à la frontière.",
        "Trois militaires ont été blessés par une mine.",
        "Les soldats ont défilé devant la tribune présidentielle.",
        "La Bourse de Paris termine la séance en légère baisse.",
        "Le PSG s'impose face à Lyon au Parc des Princes.",
        "Orages dans le Sud.\n\nMétéo-France place douze départements en vigilance orange.",
        "Un nouveau musée ouvre ses portes à Lille.",
    ],
    "pl": [
        "Węgry otworzyły granicę dla uciekinierów z Ukrainy.",
        "Przejście graniczne otwarto tylko dla samochodów ciężarowych.",
        "Litwa zamknęła dwa przejścia graniczne.",
        "Posłowie domagają się zamknięcia granicy.",
        "Funkcjonariusze strzelali do migrantów przy płocie.",
        "Myśliwi polowali na dziki niedaleko granicy.",
        "Dwóch żołnierzy zginęło w wybuchu pocisku.",
        "Żołnierze przeszli w defiladzie ulicami Warszawy.",
        "Narodowy Bank Polski utrzymał stopy procentowe.",
        "Legia wygrała z Lechem 2:0.",
        "Nad Polską przechodzą burze.\n\nSynoptycy ostrzegają przed silnym wiatrem.",
        "W Gdańsku otwarto nowe muzeum.",
    ],
    "ar": [
        "فتحت الأردن الحدود أمام اللاجئين الهاربين من القتال",
        "أعيد فتح المعبر أمام الشاحنات التجارية فقط",
        "أغلقت مصر معبر رفح حتى إشعار آخر",
        "طالب نواب بإغلاق الحدود",
        "أطلقت قوات الأمن النار على مهاجرين قرب السياج",
        "نفت الحكومة أن يكون الجنود قد أطلقوا النار على المهاجرين",
        "قتل جنديان في انفجار عبوة ناسفة",
        "شارك الجنود في العرض العسكري",
        "ارتفعت أسعار النفط في الأسواق العالمية",
        "فاز الأهلي على الزمالك في المباراة النهائية",
        "طقس حار في القاهرة\n\nوتتوقع الأرصاد استمرار الحر حتى نهاية الأسبوع",
        "افتتح متحف جديد في الرياض",
    ],
    "ru": [
        "Армения открыла границу для беженцев из Карабаха.",
        "Пункт пропуска открыли только для грузовиков.",
        "Норвегия закрыла границу с Россией.",
        "Депутаты требуют закрыть границу.",
        "Пограничники открыли огонь по нарушителям, двое ранены.",
        "Охотники выследили кабана у границы.",
        "Трое военнослужащих погибли при обстреле.",
        "Солдаты прошли парадом по площади.",
        "Центробанк сохранил ключевую ставку.",
        "«Зенит» обыграл «Спартак» со счётом 2:1.",
        "В Москве ожидается снег.\n\nСиноптики обещают похолодание до минус пятнадцати.",
        "В Казани открылся новый музей.",
    ],
}


def _articles(texts: Mapping[str, list[str]]) -> list[Article]:
    return [
        Article(id=f"{lang}-{i}", text=text, language=lang)
        for lang, items in texts.items()
        for i, text in enumerate(items)
    ]


def _seen(alerts: list[list[Alert]]) -> list[list[tuple[object, ...]]]:
    return [
        [(a.category, a.rule_id, a.evidence.sentence, a.confidence, a.facts) for a in per]
        for per in alerts
    ]


def _same_with_and_without(detector: Detector, articles: list[Article]) -> None:
    unscreened = dataclasses.replace(detector, screen=None)
    for scoped in (True, False):
        assert _seen(detector.alerts_many(articles, scoped=scoped)) == _seen(
            unscreened.alerts_many(articles, scoped=scoped)
        )


def test_the_screen_changes_no_alert_on_our_texts(detector: Detector) -> None:
    articles = _articles(TEXTS)
    _same_with_and_without(detector, articles)
    assert any(detector.alerts_many(articles[:1])[0])  # events are still alerted


def test_the_screen_changes_no_alert_on_the_rule_examples(detector: Detector) -> None:
    articles = [
        Article(id=f"{r.id}-{ex.kind}-{ex.index}", text=ex.text, language=ex.language)
        for r in detector.compiled.values()
        for ex in r.examples
        if ex.language not in (None, "en")
    ]
    assert len(articles) >= 56
    _same_with_and_without(detector, articles)


def test_the_screen_stops_plain_news_and_no_event(detector: Detector) -> None:
    screen = detector.screen
    assert screen is not None
    articles = _articles(TEXTS)
    alerted = {a.id for a, per in zip(articles, detector.alerts_many(articles), strict=True) if per}
    stopped = {a.id for a in articles if not screen.passes(a.body, a.language or "")}
    assert stopped and not stopped & alerted
    for lang in TEXTS:  # the bank, the match, the weather and the museum in every language
        assert {f"{lang}-{i}" for i in (8, 9, 10, 11)} <= stopped, lang


class _CountingReader(ForeignReader):
    """The real reader, counting the articles it reads."""

    read_ids: list[str]

    def read(self, article: Article, language: str, rules: Mapping[str, Rule]) -> Reading:
        self.read_ids.append(article.id)
        return super().read(article, language, rules)


def test_the_reader_never_sees_what_the_screen_stops(detector: Detector) -> None:
    assert detector.foreign is not None
    reader = _CountingReader(detector.foreign.lexicons, detector.gazetteer)
    reader.read_ids = []
    counted = dataclasses.replace(
        detector, foreign=reader, screen=LanguageScreen(reader, detector.rules.categories)
    )
    articles = _articles(TEXTS)
    counted.alerts_many(articles)
    screen = counted.screen
    assert screen is not None
    assert reader.read_ids == [a.id for a in articles if screen.passes(a.body, a.language or "")]
    assert len(reader.read_ids) < len(articles)


def test_a_language_without_lexicon_passes_and_one_without_rules_stops(detector: Detector) -> None:
    assert detector.foreign is not None
    screen = LanguageScreen(detector.foreign, categories=[])
    assert not screen.passes(TEXTS["tr"][0], "tr")  # no category loaded: nothing can fire
    assert screen.passes("Die Grenze wurde geschlossen.", "de")  # unread: the detector counts it
    only = LanguageScreen(detector.foreign, categories=["troop_casualties"])
    assert not only.passes(TEXTS["tr"][2], "tr")  # a closure, but only casualties are loaded
    assert only.passes(TEXTS["tr"][6], "tr")


@pytest.mark.parametrize("language", sorted(TEXTS))
def test_the_screen_looks_for_every_word_a_pattern_needs(detector: Detector, language: str) -> None:
    """The reader's own groups (crossing names included) against the screen's words: a word
    the reader could match in a pattern's group that the screen never looks for would make
    it say "no" where the reader fires."""
    reader, screen = detector.foreign, detector.screen
    assert reader is not None and screen is not None
    lexicon = reader.lexicons[language]
    groups = reader._groups[language]  # the compiled groups, as ``read`` matches them
    needed = {
        element.lstrip("#")
        for cues in lexicon.categories.values()
        for pattern in cues.patterns
        for element in pattern
        if not element.startswith("!")
    }
    words = {w for name in needed for s in groups[name].stems for w in s.words if w != GAP}
    assert words <= screen.languages[language].words


def test_rules_dir_detector_has_a_screen(detector: Detector) -> None:
    assert detector.screen is not None
    assert set(detector.screen.languages) == set(
        detector.foreign.lexicons if detector.foreign else {}
    )
