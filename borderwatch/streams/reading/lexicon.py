"""The words casualty reading knows: outcome verbs, kinds of people, number words, weapons.

Data, not code: a reviewer adds a word here (and a test case) without touching the dependency
patterns in ``casualties.py``. The prefilter reads the outcome words too, so an article that
could only match through a casualty fact still reaches spaCy.
"""

# fmt: off
OUTCOMES = {
    "kill": "killed",
    "die": "killed",
    "perish": "killed",
    "murder": "killed",
    "wound": "wounded",
    "injure": "injured",
    "hurt": "injured",
    "stab": "wounded",
    "knife": "wounded",
    "shoot": "shot",
    "drown": "drowned",
    "disappear": "missing",
    "vanish": "missing",
}
INTRANSITIVE = ("die", "perish", "drown", "disappear", "vanish")
# The tagger sometimes reads "disappeared" as an adjective, which keeps its form as lemma.
PAST_FORMS = {"died": "die", "perished": "perish", "drowned": "drown",
              "disappeared": "disappear", "vanished": "vanish"}
ADJECTIVES = {"dead": "killed", "wounded": "wounded", "injured": "injured", "missing": "missing"}
# Participles that name a state after "left" ("left 29 injured"), with their outcome.
STATE_FORMS = {"hurt": "injured", "maimed": "wounded", "killed": "killed"}
WHO = {
    "soldier": "soldier", "troop": "soldier", "serviceman": "soldier", "servicemen": "soldier",
    "conscript": "soldier", "paratrooper": "soldier", "marine": "soldier",
    "guard": "border_guard", "guardsman": "border_guard", "gendarme": "border_guard",
    "ranger": "border_guard", "policeman": "police", "policemen": "police", "police": "police",
    "officer": "police", "personnel": "security_personnel", "force": "security_personnel",
    "civilian": "civilian", "villager": "civilian", "resident": "civilian", "man": "civilian",
    "woman": "civilian", "men": "civilian", "women": "civilian", "farmer": "civilian",
    "tribesman": "civilian", "tribesmen": "civilian", "fisherman": "civilian",
    "migrant": "migrant", "swimmer": "migrant", "refugee": "refugee", "rohingya": "refugee",
    "asylum": "asylum_seeker", "seeker": "asylum_seeker", "child": "child", "children": "child",
    "boy": "child", "girl": "child", "minor": "child", "baby": "child", "teenager": "child",
    "people": "people", "person": "people", "member": "people",
    "constable": "police", "jawan": "soldier", "patroller": "border_guard",
    "coastguard": "border_guard", "major": "soldier", "lieutenant": "soldier",
    "sergeant": "soldier", "corporal": "soldier", "peacekeeper": "soldier",
    "logger": "civilian", "herder": "civilian", "shepherd": "civilian", "worker": "civilian",
    "laborer": "civilian", "labourer": "civilian", "trader": "civilian", "porter": "civilian",
    "protester": "civilian", "demonstrator": "civilian", "crosser": "migrant",
    "evacuee": "refugee", "patrolman": "police",
}
# A compound in front wins: "border police" are border guards, "army officer" a soldier.
COMPOUND_WHO = {
    ("border", "police"): "border_guard",
    ("border", "guard"): "border_guard",
    ("coast", "guard"): "border_guard",
    ("guard", "police"): "border_guard",
    ("army", "officer"): "soldier",
    ("military", "personnel"): "soldier",
    ("security", "force"): "security_personnel",
    ("police", "officer"): "police",
    ("security", "man"): "security_personnel",
    ("security", "men"): "security_personnel",
    ("border", "force"): "border_guard",
}
NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
    "another": 1, "dozen": 12, "dozens": 24, "scores": 40, "tens": 20, "hundreds": 200,
    "thousands": 2000,
}
VAGUE = frozenset({"dozens", "scores", "tens", "hundreds", "thousands", "several", "many", "some"})
LOWER_BOUND_CUES = frozenset({"least", "over", "upwards"})  # and "more than"
WEAPONS = frozenset(
    {"gunfire", "fire", "shelling", "shell", "airstrike", "strike", "bullet", "attack", "mortar",
     "rocket", "drone", "bombardment", "blast", "explosion", "raid"}
)
TOLL_VERBS = ("rise", "climb", "reach", "stand", "hit", "jump", "increase", "top")
# fmt: on
