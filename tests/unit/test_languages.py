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
    ("fr", "Le Niger a rouvert sa frontière avec le Bénin aux réfugiés qui fuient les combats.",
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
    # An opening for lorries and goods alone is no opening for people (as the English rules).
    ("fr", "Le Niger a rouvert sa frontière avec le Bénin pour les camions de marchandises."),
    ("es", "El paso fronterizo volvió a abrir el martes, pero solo para los camiones."),
    ("pl", "Przejście graniczne otwarto ponownie wyłącznie dla ciężarówek."),
    ("ru", "Пункт пропуска снова открыли, но только для грузовиков."),
    ("tr", "Sınır kapısı sadece tırların geçişine yeniden açıldı."),
    ("el", "Το τελωνείο στα σύνορα άνοιξε ξανά μόνο για τα φορτηγά."),
    ("ar", "أعيد فتح المعبر الحدودي أمام حركة الشاحنات فقط."),
    # Bodies found near a border tell a death, not who killed: no shooting by the finders.
    ("pl", "Strażnicy graniczni znaleźli ciała dwóch migrantów na bagnach."),
    ("ru", "Полицейские нашли тела двух мигрантов в лесу у границы."),
    ("tr", "Jandarma, iki göçmenin cesedini sınır yakınında buldu."),
    ("el", "Η αστυνομία εντόπισε τις σορούς δύο μεταναστών στον Έβρο."),
    ("ar", "عثر حرس الحدود على جثث مهاجرين اثنين في الصحراء."),
    ("tr", "Belediye yeni bir kütüphane açtı ve çocuklar için kitap okuma günleri düzenledi."),
    ("el", "Ο Έλληνας αθλητής κέρδισε το χρυσό στο Κύπελλο Σκοποβολής."),
    ("es", "Médicos Sin Fronteras abrió una clínica para niños en la capital."),
    ("fr", "Les touristes pourront passer la frontière dès l'ouverture de la saison d'été."),
    ("pl", "Bank centralny obniżył stopy procentowe o pół punktu."),
    ("ar", "افتتحت منظمة أطباء بلا حدود مستشفى جديدا في المدينة"),
    ("ru", "Компания представила новый телефон на выставке в Москве."),
]


OPEN, C, S, T = "border_opening", "border_closure", "border_shooting", "troop_casualties"

# Each kind of reading fix, and its near-misses, in each language: phrasings with words between
# ("obligó a decenas de migrantes a regresar"), prefixed and irregular verbs, a guard's title
# that names the border ("police des frontières") read as a guard and not as a border, the
# counted soldiers as the casualties (not the shooters), "civil war" and "Guardia Civil" not
# civilians, purpose clauses and attempts ("tentaient de franchir") not an opening or a pushback,
# ceasefires and weddings not shootings, a deal closed near the border not a closure, a school
# opening its doors to children or police pushing back protesters not about people on the move,
# a school shooting no border shooting, an accident or an exercise no troop casualty, tear gas
# against migrants a pushback (as in English) and not a shooting, crossings resumed an opening
# but fighting resumed not one, soldiers fallen in combat casualties, a hospital or shop opened
# or closed near the border no border opening or closure, a negated closing or opening (no
# cerrará, ne fermera pas, δεν θα κλείσει) or "no soldier died" (ningún, aucun, żaden) neither, and
# a refusal, cordon or pushback only of people on the move or their boats (not of patients, a
# decision, protesters, a proposal or diplomats), and a shooting only in an article that names a
# border, its guards or refugees (not a shooting in a bar).
# BEGIN READINGS
READINGS = [
    ("es", "La policía obligó a decenas de migrantes a regresar a Marruecos.", {C}),
    ("es", "Los agentes hicieron retroceder a un grupo de refugiados junto a la valla.", {C}),
    ("es", "Argelia mantiene cerrado el paso fronterizo desde el lunes.", {C}),
    ("es", "Los guardias fronterizos devolvieron en caliente a cuarenta subsaharianos.", {C}),
    ("es", "Los dos gobiernos cerraron un acuerdo comercial en la ciudad fronteriza.", set()),
    ("es", "Hungría reabrió su frontera con Serbia tras semanas de bloqueo.", {OPEN}),
    ("es", "Las autoridades permitieron la entrada de miles de refugiados sirios.", {OPEN}),
    ("es", "Grecia dejó de impedir el paso a los solicitantes de asilo.", {OPEN}),
    ("es", "Los migrantes que intentaban cruzar la frontera fueron detenidos.", set()),
    ("es", "Soldados iraníes abatieron a tiros a dos porteadores kurdos en la frontera.", {S}),
    ("es", "La guardia de fronteras tiroteó a un grupo de jóvenes cerca de la aduana.", {S}),
    ("es", "Un invitado murió por un disparo durante una boda en Sevilla.", set()),
    ("es", "El alto el fuego en la frontera se mantiene desde el domingo.", set()),
    ("es", "Tres militares murieron en un ataque contra un puesto del ejército.", {T}),
    ("es", "Dos guardias civiles resultaron heridos en la valla de Ceuta.", {T}),
    ("es", "Los soldados desfilaron en una ceremonia junto a la frontera.", set()),
    ("es", "El ataque causó la muerte de cinco soldados y dos civiles.", {T}),
    ("fr", "Les gendarmes ont refoulé une centaine d'exilés vers l'Italie.", {C}),
    ("fr", "L'Algérie a fermé le poste frontalier avec le Niger.", {C}),
    ("fr", "Les deux pays ont conclu un accord sur la fermeture des usines près de la frontière.", set()),
    ("fr", "La Pologne a rouvert le point de passage de Terespol.", {OPEN}),
    ("fr", "Berlin a laissé entrer des milliers de demandeurs d'asile.", {OPEN}),
    ("fr", "Des migrants qui tentaient de franchir la frontière ont été arrêtés.", set()),
    ("fr", "Des garde-frontières iraniens ont abattu deux passeurs afghans.", {S}),
    ("fr", "La police a ouvert le feu sur des exilés près de la clôture.", {S}),
    ("fr", "Un homme a été blessé par balle lors d'un mariage à Lyon.", set()),
    ("fr", "Le cessez-le-feu à la frontière tient depuis lundi.", set()),
    ("fr", "Deux militaires ont péri dans l'explosion d'une mine.", {T}),
    ("fr", "Trois policiers ont été grièvement blessés au poste-frontière.", {T}),
    ("fr", "L'attaque a coûté la vie à six soldats et quatre civils.", {T}),
    ("fr", "Les soldats ont défilé lors d'une cérémonie à la frontière.", set()),
    ("fr", "Le gouvernement envisage de fermer la frontière avec la Belgique.", set()),
    ("fr", "Médecins sans frontières a soigné des blessés à la frontière.", set()),
    ("pl", "Straż Graniczna zawróciła grupę kilkudziesięciu migrantów na Białoruś.", {C}),
    ("pl", "Litwa wstrzymała ruch na przejściu w Miednikach.", {C}),
    ("pl", "Rząd rozważa zamknięcie granicy z Rosją.", set()),
    ("pl", "Niemcy otworzyły granicę dla uchodźców z Austrii.", {OPEN}),
    ("pl", "Węgry przepuściły tysiące migrantów przez przejście w Röszke.", {OPEN}),
    ("pl", "Turcja przestała zatrzymywać migrantów płynących do Grecji.", {OPEN}),
    ("pl", "Migranci próbowali w nocy przekroczyć granicę przez rzekę.", set()),
    ("pl", "Funkcjonariusze BSF zastrzelili dwóch przemytników przy granicy.", {S}),
    ("pl", "Pogranicznicy otworzyli ogień do grupy migrantów na granicy.", {S}),
    ("pl", "Podczas wesela padły strzały i jeden z gości został ranny.", set()),
    ("pl", "Dwóch żołnierzy zginęło w zasadzce przy posterunku.", {T}),
    ("pl", "Pogranicznik został ranny, gdy ktoś rzucił w niego kamieniem.", {T}),
    ("pl", "Żołnierze zabili trzech migrantów na granicy.", {S}),
    ("pl", "Żołnierze wzięli udział w uroczystej ceremonii przy granicy.", set()),
    ("pl", "Związkowcy zamknęli sezon spotkaniem w hotelu.", set()),
    ("ru", "Пограничники развернули обратно группу мигрантов у КПП.", {C}),
    ("ru", "Финляндия закрыла все пункты пропуска на границе с Россией.", {C}),
    ("ru", "Суд закрыл дело о нарушении границы.", set()),
    ("ru", "Власти рассматривают закрытие границы с Казахстаном.", set()),
    ("ru", "Казахстан вновь открыл границу для грузовиков из Китая.", set()),  # goods only
    ("ru", "Венгрия пропустила тысячи беженцев в Австрию.", {OPEN}),
    ("ru", "Турция перестала задерживать мигрантов на границе с Грецией.", {OPEN}),
    ("ru", "На КПП открыли уголовное дело против водителя.", set()),
    ("ru", "Мигранты пытались пересечь границу ночью.", set()),
    ("ru", "Иранские пограничники застрелили двух афганских мигрантов.", {S}),
    ("ru", "Солдаты открыли огонь по толпе беженцев у забора.", {S}),
    ("ru", "На свадьбе гость ранил соседа из ружья.", set()),
    ("ru", "Стороны договорились о прекращении огня на границе.", set()),
    ("ru", "Двое пограничников погибли при обстреле заставы.", {T}),
    ("ru", "Трое военнослужащих получили ранения при взрыве мины.", {T}),
    ("ru", "Атака унесла жизни пяти солдат и двух мирных жителей.", {T}),
    ("ru", "Солдаты прошли маршем на церемонии у границы.", set()),
    ("ru", "Пограничники убили трёх контрабандистов.", {S}),
    ("ar", "أغلق الأردن معبر جابر مع سوريا حتى إشعار آخر", {C}),
    ("ar", "أجبرت الشرطة عشرات المهاجرين على العودة إلى ليبيا", {C}),
    ("ar", "أغلقت الشرطة ملف التحقيق في حادث قرب الحدود", set()),
    ("ar", "أعادت مصر فتح معبر رفح أمام المسافرين", {OPEN}),
    ("ar", "سمحت تركيا بدخول مئات اللاجئين عبر الحدود", {OPEN}),
    ("ar", "فتح حرس الحدود النار على مجموعة من المهاجرين", {S}),
    ("ar", "حاول مئات المهاجرين عبور الحدود ليلا", set()),
    ("ar", "قتل حرس الحدود الإيراني ثلاثة مهربين أفغان", {S}),
    ("ar", "أطلق الجنود الرصاص الحي على متظاهرين قرب السياج", {S}),
    ("ar", "أعلن الطرفان وقف إطلاق النار على الحدود", set()),
    ("ar", "أطلقت الحكومة حملة لمساعدة اللاجئين على الحدود", set()),
    ("ar", "قتل جنديان في هجوم على نقطة حدودية", {T}),
    ("ar", "أسفر الهجوم عن مقتل خمسة جنود ومدنيين اثنين", {T}),
    ("ar", "شارك الجنود في حفل عسكري قرب الحدود", set()),
    ("ar", "أطلق مسلحون النار على دورية الشرطة، وقال شهود إن أحد المارة في السوق أصيب بجروح", set()),
    ("el", "Η Βουλγαρία έκλεισε το συνοριακό πέρασμα στο Κάπιταν Αντρέεβο.", {C}),
    ("el", "Το Λιμενικό επαναπροώθησε δύο βάρκες με πρόσφυγες στα τουρκικά ύδατα.", {C}),
    ("el", "Η εταιρεία έκλεισε συμφωνία με τελωνειακούς στα σύνορα.", set()),
    ("el", "Η Αίγυπτος εντείνει τις προσπάθειες να ανακόψει τη ροή των μεταναστών.", set()),
    ("el", "Η Τουρκία άνοιξε τα σύνορα για τους Σύρους πρόσφυγες.", {OPEN}),
    ("el", "Η Ουγγαρία επέτρεψε σε χιλιάδες πρόσφυγες να περάσουν στην Αυστρία.", {OPEN}),
    ("el", "Στρατιώτες άνοιξαν πυρ στα σύνορα κατά μεταναστών.", {S}),
    ("el", "Οι μετανάστες προσπαθούσαν να εισέλθουν στην Ελλάδα από τον Έβρο.", set()),
    ("el", "Τούρκοι συνοριοφύλακες πυροβόλησαν και σκότωσαν δύο Αφγανούς μετανάστες.", {S}),
    ("el", "Μεγάλη πυρκαγιά ξέσπασε κοντά στα σύνορα στον Έβρο.", set()),
    ("el", "Ένας καλεσμένος τραυματίστηκε από πυροβολισμό σε γάμο στην Κρήτη.", set()),
    ("el", "Δύο στρατιώτες σκοτώθηκαν σε έκρηξη νάρκης κοντά στο φυλάκιο.", {T}),
    ("el", "Τρεις συνοριοφύλακες τραυματίστηκαν σε επίθεση με πέτρες.", {T}),
    ("el", "Οι στρατιώτες παρέλασαν σε τελετή στα σύνορα.", set()),
    ("tr", "Bulgaristan Kapıkule sınır kapısını tır geçişlerine kapattı.", {C}),
    ("tr", "Yunan sahil güvenliği göçmen botunu geri itti.", {C}),
    ("tr", "Mahkeme davayı kapattı ve sınır anlaşmazlığı sona erdi.", set()),
    ("tr", "Hükümet, Suriye sınırının kapatılmasını düşünüyor.", set()),
    ("tr", "İran, Afgan mültecilerin geçişine izin verdi.", {OPEN}),
    ("tr", "Ermenistan sınır kapısını yeniden açtı.", {OPEN}),
    ("tr", "Askerler sınırda göçmenlere ateş açtı.", {S}),
    ("tr", "Göçmenler gece sınırı geçmeye çalıştı.", set()),
    ("tr", "İran sınır muhafızları iki Afgan göçmeni vurarak öldürdü.", {S}),
    ("tr", "Jandarma, sınırı geçen kaçakçılara ateş açtı.", {S}),
    ("tr", "Taraflar sınırda ateşkes ilan etti.", set()),
    ("tr", "Düğünde havaya ateş açılınca bir kişi yaralandı.", set()),
    ("tr", "Saldırıda iki asker şehit oldu.", {T}),
    ("tr", "Hain saldırıda üç polis yaralandı.", {T}),
    ("tr", "Askerler sınırda üç kaçakçıyı öldürdü.", {S}),
    ("tr", "Sınırdaki toplantıda askerler olumlu bir hava olduğunu söyledi.", set()),
    ("es", "Polonia abrió sus puertas a los refugiados ucranianos.", {OPEN}),
    ("es", "La escuela abrió sus puertas a los niños del barrio.", set()),
    ("fr", "La Turquie ouvre ses portes aux migrants en route vers l'Europe.", {OPEN}),
    ("pl", "Policja odepchnęła demonstrantów spod parlamentu.", set()),
    ("ru", "Пограничники применили оружие против нарушителей границы.", {S}),
    ("ar", "فتحت المدرسة أبوابها أمام أطفال الحي", set()),
    ("tr", "Polis, meclis önünde göstericileri geri itti.", set()),
    ("es", "Dos militares murieron al estrellarse su helicóptero durante unas maniobras.", set()),
    ("fr", "Un élève a été blessé par balle devant une école près de la frontière.", set()),
    ("pl", "Dwóch żołnierzy zginęło w wypadku wojskowej ciężarówki.", set()),
    ("tr", "Tatbikat sırasında iki asker hayatını kaybetti.", set()),
    ("ru", "В школе у границы подросток ранил двух учеников из ружья.", set()),
    ("el", "Τρεις στρατιώτες σκοτώθηκαν σε τροχαίο κοντά στα σύνορα.", set()),
    ("ar", "قتل جنديان في حادث سير قرب الحدود", set()),
    ("es", "Marruecos reanudó el paso de peatones por la frontera de Ceuta.", {OPEN}),
    ("es", "La policía lanzó gases lacrimógenos contra los migrantes en la frontera.", {C}),
    ("es", "Un soldado cayó en combate en la frontera con Colombia.", {T}),
    ("es", "Las milicias reanudaron los combates en la frontera.", set()),
    ("fr", "Le Maroc a suspendu le trafic au poste-frontière de Bab Sebta.", {C}),
    ("fr", "La police a tiré des gaz lacrymogènes sur les migrants à la frontière.", {C}),
    ("fr", "Un soldat est tombé au combat près de la frontière malienne.", {T}),
    ("pl", "Na granicy poległ polski żołnierz.", {T}),
    ("pl", "Funkcjonariusze użyli gazu łzawiącego wobec migrantów na granicy.", {C}),
    ("pl", "Przy granicy wznowiono walki między separatystami a armią.", set()),
    ("ru", "Пограничники применили слезоточивый газ против мигрантов у границы.", {C}),
    ("ru", "Грузия возобновила движение через КПП Верхний Ларс.", {OPEN}),
    ("ru", "У границы возобновились бои.", set()),
    ("tr", "Yunan polisi göçmenlere biber gazı sıktı.", {C}),
    ("tr", "Türkiye Cilvegözü sınır kapısından geçişleri yeniden başlattı.", {OPEN}),
    ("tr", "Sınırda çıkan çatışmada bir asker şehit düştü.", {T}),
    ("el", "Η αστυνομία έριξε χημικά στους μετανάστες στα σύνορα.", {C}),
    ("el", "Ένας στρατιώτης έπεσε νεκρός σε ενέδρα στα σύνορα.", {T}),
    ("ar", "أطلقت الشرطة الغاز المسيل للدموع على المهاجرين عند الحدود", {C}),
    ("ar", "استأنفت مصر حركة العبور في معبر رفح", {OPEN}),
    ("ru", "Магазин у границы закрылся на ремонт.", set()),
    ("tr", "Sınırda açılan yeni alışveriş merkezi ziyaretçi akınına uğradı.", set()),
    ("el", "Ο δήμαρχος άνοιξε νέο νοσοκομείο κοντά στα σύνορα.", set()),
    ("pl", "Przy granicy otwarto nowy szpital powiatowy.", set()),
    ("ar", "افتتحت الحكومة مستشفى جديدا قرب الحدود", set()),
    ("fr", "Le Tchad a rouvert sa frontière avec la Centrafrique, selon l'ambassade.", {OPEN}),
    ("es", "El delantero abrió el marcador con un disparo desde fuera del área.", set()),
    ("es", "Marruecos no cerrará la frontera con Ceuta, según el ministro.", set()),
    ("es", "España ha reabierto el paso fronterizo de Beni Enzar.", {OPEN}),
    ("fr", "L'Algérie ne fermera pas sa frontière avec la Tunisie.", set()),
    ("fr", "Le poste-frontière n'a pas rouvert lundi.", set()),
    ("es", "Ningún soldado murió en el ataque contra el puesto fronterizo.", set()),
    ("fr", "Aucun soldat n'a été tué dans l'attaque du poste.", set()),
    ("pl", "Żaden żołnierz nie zginął w ataku.", set()),
    ("el", "Η Ελλάδα δεν θα κλείσει τα σύνορα.", set()),
    ("pl", "Szpital nie może przyjąć więcej pacjentów.", set()),
    ("ru", "Парламент не может принять решение о бюджете.", set()),
    ("es", "Un cordón policial contuvo a los manifestantes frente al Congreso.", set()),
    ("es", "España rechaza la propuesta de Marruecos sobre la frontera.", set()),
    ("ru", "Россия выслала польских дипломатов после инцидента на границе.", set()),
    ("el", "Το Λιμενικό απώθησε μια βάρκα στα σύνορα.", {C}),
    ("tr", "Yunan sahil güvenliği bir botu geri itti.", {C}),
    ("ru", "Ослабление рубля ударило по миллионам человек.", set()),
    ("es", "El Gobierno relaja la norma fiscal para miles de personas.", set()),
    ("es", "Alemania relaja las restricciones de entrada para los refugiados sirios.", {OPEN}),
    ("el", "Ο υπουργός αποσύρθηκε από τις συνομιλίες για τα σύνορα.", set()),
    ("ru", "На конференцию в Москву прибыли триста человек.", set()),
    ("ru", "Тысячи беженцев пересекли границу с Польшей за сутки.", {OPEN}),
    ("tr", "Toplantıya yüzlerce kişi ulaştı.", set()),
    ("el", "Χιλιάδες άνθρωποι έφτασαν στη συναυλία.", set()),
    ("ar", "وصل مئات الأشخاص إلى المؤتمر في القاهرة", set()),
    ("fr", "La ville frontalière accueille des milliers de personnes pour le sommet.", set()),
    ("pl", "Szpital przy granicy przyjął dwadzieścia osób po wypadku autobusu.", set()),
    ("ar", "استقبلت المدينة الحدودية آلاف الأشخاص في المؤتمر", set()),
    ("es", "España acoge a miles de refugiados ucranianos.", {OPEN}),
    ("fr", "La Pologne accueille des centaines de milliers de réfugiés.", {OPEN}),
    ("ar", "استقبلت تركيا آلاف اللاجئين السوريين", {OPEN}),
    ("es", "Un hombre disparó contra tres personas en un bar de Madrid.", set()),
    ("pl", "Mężczyzna postrzelił dwie osoby w barze w Łodzi.", set()),
    ("ru", "Мужчина застрелил двух человек в кафе в Казани.", set()),
    ("tr", "Bir kafede silahlı saldırı: iki kişi yaralandı.", set()),
    ("ar", "أطلق مسلح النار على شخصين في مقهى بالقاهرة", set()),
    ("fr", "Un homme a tiré sur deux personnes dans un bar de Marseille.", set()),
    ("el", "Άνδρας πυροβόλησε δύο άτομα σε καφετέρια στη Θεσσαλονίκη.", set()),
    ("ar", "السلطات الجزائرية تقرر غلق المعبر الحدودي مع تونس", {C}),
    ("ar", "الشرطة اليونانية تصد مئات المهاجرين على الحدود مع تركيا", {C}),
]  # fmt: skip
# END READINGS


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
    assert detect(text, ("tr", "el", "es", "fr", "pl", "ar", "ru"), "en-GB") == "en"


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


@pytest.mark.parametrize(("language", "text", "expected"), READINGS)
def test_readings_and_near_misses(
    detector: Detector, language: str, text: str, expected: set[str]
) -> None:
    assert categories(detector, language, text) == expected


def test_a_month_two_to_five_months_back_is_background(detector: Detector) -> None:
    text = "W październiku w ataku na posterunek zginęło dziewięciu policjantów."

    def read(published: str) -> set[str]:
        article = Article(id="m", text=text, language="pl", published=published)
        return {a.category for a in detector.alerts(article)}

    assert read("2021-10-20T08:00:00Z") == {T}  # this month: the news
    assert read("2021-12-20T08:00:00Z") == set()  # two months on: background
    assert read("2021-06-20T08:00:00Z") == {T}  # a month ahead may be a plan: no verdict


def test_distinct_letters_keep_turkish_words_apart() -> None:
    from borderwatch.streams.reading.languages.reader import folder

    turkish = folder("öüşçğ")
    assert turkish("Öldü") != turkish("oldu")  # died, was
    assert not turkish("kısıtlama").startswith(turkish("kişi"))
    assert turkish("SINIR") == turkish("sınır") == fold("sınır")


def test_counts_from_the_lead_each_with_its_nearest_outcome(detector: Detector) -> None:
    text = (
        "Guardias marroquíes mataron a dos migrantes junto a la valla.\n\n"
        "Otros cinco migrantes resultaron heridos y fueron llevados al hospital."
    )
    a = detector.analyse(Article(id="e", text=text, language="es"))
    got = {(c.count, c.who, c.outcome, c.lower_bound) for c in a.facts.casualties}
    assert got == {(2, "migrant", "killed", False), (5, "migrant", "wounded", False)}


def test_vague_number_words_are_lower_bounds(detector: Detector) -> None:
    text = "Straż graniczna strzelała do migrantów, setki migrantów zostało rannych."
    a = detector.analyse(Article(id="v", text=text, language="pl"))
    assert [(c.count, c.lower_bound, c.outcome) for c in a.facts.casualties] == [
        (200, True, "wounded")
    ]


def test_a_veto_is_read_in_the_headline_and_the_sentence_not_in_passing(
    detector: Detector,
) -> None:
    """A film in the headline rules the closure out; a concert named further down does not."""
    passing = ("Marruecos cerró la frontera con Argelia el lunes.\n\nEn la capital, el club "
               "anunció su programa de conciertos para el verano.")  # fmt: skip
    film = ("Estreno de la película sobre el desierto\n\nEn la película, el ejército cerró la "
            "frontera con Argelia durante un mes.")  # fmt: skip
    assert categories(detector, "es", passing) == {"border_closure"}
    assert categories(detector, "es", film) == set()
