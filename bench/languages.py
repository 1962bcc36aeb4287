"""What an article costs in each language, against English, through ``Detector.alerts_many``.

Run: ``.venv/bin/python -m bench.languages [--n 10] [--rounds 2]`` (under a minute). English
articles come from the load generator (``tests.support.loadgen``: 400-800 words of filler,
one to three border sentences in the relevant ones); the other seven languages get articles
of the same shape built here from word lists written for this bench. Languages are not
declared, so each article is also detected, as from a feed that does not say. Every language
is timed in every round, in turn, and its best round kept: the machines are noisy, so compare
the ratios to English, measured side by side in one run, not the milliseconds.
"""

from __future__ import annotations

import argparse
import random
import time
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from borderwatch.core.models import Article
from borderwatch.core.settings import load_settings
from borderwatch.streams import checked_detector
from borderwatch.streams.detect import Detector
from tests.support.loadgen import article as english_article

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Words:
    """One language's filler (a sentence is one of each part, in ``order``) and border
    sentences. Written for this bench; the filler holds no word of any lexicon group (a
    "central bank" would veto the article as economic news in three of them)."""

    subjects: tuple[str, ...]
    verbs: tuple[str, ...]
    objects: tuple[str, ...]
    tails: tuple[str, ...]
    order: str  # how the parts stand: s(ubject) v(erb) o(bject) t(ail)
    border: tuple[str, ...]


WORDS = {
    "tr": Words(
        ("Belediye", "İstatistik kurumu", "Futbol kulübü", "Şirket", "Üniversite"),
        ("duyurdu", "yayımladı", "değerlendirdi", "sundu"),
        ("yeni bütçeyi", "çeyrek sonuçlarını", "hava raporunu", "konser programını"),
        ("pazartesi günü", "uzun bir toplantının ardından", "başkentte", "kısa bir bildiride"),
        "stov",
        ("Yunan polisi Pazarkule sınır kapısında yüzlerce göçmeni geri itti.",
         "Türkiye Suriye sınırını kaçan göçmenlere açtı.",
         "Sınır karakoluna düzenlenen saldırıda üç asker öldü."),
    ),
    "el": Words(
        ("Ο δήμος", "Η στατιστική υπηρεσία", "Η εταιρεία", "Το πανεπιστήμιο", "Ο σύλλογος"),
        ("ανακοίνωσε", "παρουσίασε", "εξέτασε", "δημοσίευσε"),
        ("τον νέο προϋπολογισμό", "τα αποτελέσματα του τριμήνου", "την έρευνα για τον καιρό",
         "το πρόγραμμα των συναυλιών"),
        ("τη Δευτέρα", "μετά από μακρά σύσκεψη", "στην πρωτεύουσα", "σε σύντομη δήλωση"),
        "svot",
        ("Η αστυνομία έκλεισε τα σύνορα στις Καστανιές και απώθησε εκατοντάδες μετανάστες.",
         "Συνοριοφύλακες πυροβόλησαν μετανάστες κοντά στον φράχτη του Έβρου.",
         "Δύο στρατιώτες σκοτώθηκαν σε επίθεση στο φυλάκιο."),
    ),
    "es": Words(
        ("El ayuntamiento", "El instituto de estadística", "La empresa", "La universidad",
         "El club"),
        ("anunció", "presentó", "revisó", "publicó"),
        ("un nuevo presupuesto", "los resultados del trimestre", "la encuesta del tiempo",
         "el programa de conciertos"),
        ("el lunes", "tras una larga reunión", "en la capital", "según un comunicado"),
        "svot",
        ("Marruecos cerró la frontera con Argelia durante toda la semana.",
         "La Guardia Civil disparó contra los migrantes que intentaban cruzar la valla.",
         "Tres soldados murieron en un ataque contra un puesto fronterizo."),
    ),
    "fr": Words(
        ("La mairie", "L'institut de statistique", "L'entreprise", "L'université", "Le club"),
        ("a annoncé", "a présenté", "a examiné", "a publié"),
        ("un nouveau budget", "les résultats du trimestre", "l'enquête sur la météo",
         "la saison des concerts"),
        ("lundi", "après une longue réunion", "dans la capitale", "selon un communiqué"),
        "svot",
        ("Le Niger a fermé ses postes frontaliers avec le Nigeria lundi matin.",
         "Des gardes-frontières ont tiré sur des migrants près de la clôture.",
         "Cinq soldats ont été tués dans une attaque contre un poste frontalier."),
    ),
    "pl": Words(
        ("Urząd statystyczny", "Klub piłkarski", "Uniwersytet", "Zarząd spółki", "Urząd miasta"),
        ("ogłosił", "przedstawił", "opublikował", "omówił"),
        ("nowy budżet", "wyniki kwartału", "raport o pogodzie", "program koncertów"),
        ("w poniedziałek", "po długim posiedzeniu", "w stolicy", "w krótkim komunikacie"),
        "svot",
        ("Polska zamknęła przejście graniczne w Kuźnicy na granicy z Białorusią.",
         "Straż graniczna zawróciła setki migrantów na granicy.",
         "Dwóch żołnierzy zginęło w ataku na posterunek graniczny."),
    ),
    "ar": Words(
        ("مكتب الإحصاء", "المجلس البلدي", "نادي كرة القدم", "الفريق البحثي"),
        ("أعلن", "نشر", "ناقش", "قدم"),
        ("ميزانية جديدة", "نتائج الربع الأول", "تقريرا عن الطقس", "برنامج الحفلات"),
        ("يوم الاثنين", "بعد اجتماع طويل", "في العاصمة", "في بيان قصير"),
        "vsot",
        ("أغلقت السلطات المعبر الحدودي مع السودان بعد اشتباكات عنيفة.",
         "أطلق حرس الحدود النار على لاجئين حاولوا عبور الحدود.",
         "قتل ثلاثة جنود في هجوم على مركز حدودي."),
    ),
    "ru": Words(
        ("Статистический комитет", "Городской совет", "Футбольный клуб", "Университет"),
        ("объявил", "представил", "опубликовал", "обсудил"),
        ("новый бюджет", "итоги квартала", "доклад о погоде", "программу концертов"),
        ("в понедельник", "после долгого заседания", "в столице", "в коротком заявлении"),
        "svot",
        ("Польша закрыла пункт пропуска на границе с Белоруссией.",
         "Пограничники открыли огонь по мигрантам у забора.",
         "Двое военнослужащих погибли при нападении на пограничный пост."),
    ),
}  # fmt: skip


def _sentence(words: Words, rng: random.Random) -> str:
    parts = {"s": words.subjects, "v": words.verbs, "o": words.objects, "t": words.tails}
    text = " ".join(rng.choice(parts[p]) for p in words.order)
    return text[0].upper() + text[1:] + "."


def foreign_article(language: str, i: int, rng: random.Random, relevant: bool) -> Article:
    """The load generator's shape in ``language``: 400-800 words of filler, paragraphs of
    six sentences, and in a relevant article one to three border sentences first."""
    words = WORDS[language]
    sentences: list[str] = []
    target = rng.randint(400, 800)
    while sum(len(s.split()) for s in sentences) < target:
        sentences.append(_sentence(words, rng))
    title = _sentence(words, rng).rstrip(".")
    if relevant:
        border = rng.sample(words.border, rng.randint(1, len(words.border)))
        title = border[0].rstrip(".")
        sentences = border + sentences
    text = "\n\n".join(" ".join(sentences[k : k + 6]) for k in range(0, len(sentences), 6))
    return Article(id=f"bench-{language}-{i}", title=title, text=text, source="bench.languages")


def articles(language: str, n: int, relevant: bool, seed: int = 7) -> list[Article]:
    rng = random.Random(f"{seed}-{language}-{relevant}")
    if language == "en":
        return [english_article(i, rng, relevant) for i in range(n)]
    return [foreign_article(language, i, rng, relevant) for i in range(n)]


def cost_ms(detector: Detector, batch: list[Article]) -> float:
    start = time.perf_counter()
    detector.alerts_many(batch)
    return (time.perf_counter() - start) * 1000 / len(batch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10, help="articles per language and kind")
    parser.add_argument("--rounds", type=int, default=2, help="rounds; the best is kept")
    args = parser.parse_args()
    detector = checked_detector(load_settings(None), ROOT / "rules", examples=False)
    languages = ["en", *sorted(WORDS)]
    kinds = {"relevant": True, "plain": False}
    sets = {(lang, kind): articles(lang, args.n, rel) for lang in languages
            for kind, rel in kinds.items()}  # fmt: skip
    read = {
        lang: sum(1 for alerts in detector.alerts_many(sets[lang, "relevant"]) if alerts)
        for lang in languages
    }  # fmt: skip; also the warm-up: lexicons, tokenizers, tables
    for lang in languages:
        detector.alerts_many(sets[lang, "plain"])
    best: dict[tuple[str, str], float] = {}
    for _ in range(args.rounds):
        for key, batch in sets.items():
            best[key] = min(best.get(key, float("inf")), cost_ms(detector, batch))
    words = {lang: sum(len(a.body.split()) for a in sets[lang, "relevant"]) / args.n
             for lang in languages}  # fmt: skip
    table = Table(title=f"cost per article through Detector.alerts_many ({args.n} articles "
                  f"per language and kind, best of {args.rounds} rounds)")  # fmt: skip
    for col in ("language", "words", "relevant ms", "vs en", "alerted", "plain ms", "vs en"):
        table.add_column(col, justify="left" if col == "language" else "right")
    for lang in languages:
        rel, plain = best[lang, "relevant"], best[lang, "plain"]
        table.add_row(
            lang, f"{words[lang]:.0f}", f"{rel:.1f}", f"{rel / best['en', 'relevant']:.2f}x",
            f"{read[lang]}/{args.n}", f"{plain:.2f}", f"{plain / best['en', 'plain']:.2f}x",
        )  # fmt: skip
    Console().print(table)


if __name__ == "__main__":
    main()
