"""Event frames from the dependency parse: who fired at whom, which state did what to a border.

A bag of words cannot tell "guards fired on migrants" from "gunmen fired on guards", or
"Turkey opened its border to refugees" from "Greece will reopen to tourists". A frame is read
from the roles the parse gives: the subject or agent of a firing verb is the shooter, its
object or the noun after "on/at" the target; the subject of "open/close/push back" is the
actor, the noun after "for/to" or the people let through say for whom. Every role is a closed
vocabulary (``core.models``) so rules can test it, and the modality reading (denied, hedged,
historical) becomes the frame's ``status``. Pure functions over a parsed ``Doc``; a frame that
cannot be read is absent, never an error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from borderwatch.core.models import BorderAction, Shooting
from borderwatch.streams.modality import ModalityJudge, status_of
from borderwatch.streams.reading.casualties import count_of, perpetrator
from borderwatch.streams.reading.gazetteer import CROSSING, Gazetteer

LEAD = 3  # the headline and the first sentences: where news states its event

# Kinds of people, by lemma (lower case). Security forces first: they are the shooters the
# category is about; armed groups shoot too, but at the forces, not at people crossing.
SECURITY = {
    "soldier": "soldier", "troop": "soldier", "army": "soldier", "military": "soldier",
    "serviceman": "soldier", "servicemen": "soldier", "jawan": "soldier", "marine": "soldier",
    "paratrooper": "soldier", "conscript": "soldier",
    "guard": "border_guard", "guardsman": "border_guard", "coastguard": "border_guard",
    "gendarme": "border_guard", "gendarmerie": "border_guard", "ranger": "border_guard",
    "patrol": "border_guard", "patroller": "border_guard", "sentry": "border_guard",
    "bsf": "border_guard", "bgb": "border_guard", "frontex": "border_guard",
    "police": "police", "policeman": "police", "policemen": "police", "officer": "police",
    "constable": "police", "cop": "police",
    "force": "security_personnel", "personnel": "security_personnel",
    "agent": "security_personnel", "security": "security_personnel",
}  # fmt: skip
ARMED = {
    "gunman", "gunmen", "militant", "rebel", "insurgent", "terrorist", "fighter", "guerrilla",
    "guerrillas", "jihadist", "attacker", "assailant", "taliban", "dissident", "separatist",
    "bandit", "raider", "sniper",
}  # fmt: skip
TARGETS = {
    "migrant": "migrant", "swimmer": "migrant", "crosser": "migrant",
    "refugee": "refugee", "rohingya": "refugee", "evacuee": "refugee", "displaced": "refugee",
    "asylum": "asylum_seeker", "seeker": "asylum_seeker",
    "smuggler": "smuggler", "trafficker": "smuggler",
    "child": "child", "children": "child", "boy": "child", "girl": "child", "minor": "child",
    "teenager": "child", "baby": "child",
    "civilian": "civilian", "villager": "civilian", "resident": "civilian", "citizen": "civilian",
    "farmer": "civilian", "fisherman": "civilian", "fishermen": "civilian", "logger": "civilian",
    "herder": "civilian", "shepherd": "civilian", "worker": "civilian", "laborer": "civilian",
    "labourer": "civilian", "trader": "civilian", "protester": "civilian", "woman": "civilian",
    "women": "civilian", "demonstrator": "civilian", "tourist": "civilian", "man": "civilian",
    "men": "civilian", "tribesman": "civilian", "tribesmen": "civilian", "student": "civilian",
    "family": "people", "people": "people", "person": "people", "crowd": "people",
    "group": "people", "member": "people",
}  # fmt: skip
# "a team of border police", "a rally of laborers": the people are after "of".
COLLECTIVE = {"team", "group", "crowd", "party", "column", "band", "convoy", "rally", "unit",
              "number", "dozens", "hundreds", "scores", "members", "member", "one", "some",
              "many", "most", "several", "first", "rest", "all", "each", "thousands",
              "boat", "boatload", "trainload", "busload", "wave"}  # fmt: skip
SECURITY_ORG_WORDS = {"border", "guard", "army", "force", "forces", "police", "military",
                      "gendarmerie", "coast", "navy", "patrol"}  # fmt: skip

FIREARMS = {"fire", "gunfire", "bullet", "shot", "round", "ammunition", "rifle", "gun",
            "firing", "shooting", "pellet", "sniper", "firefight", "gunfight", "shootout",
            "gunshot"}  # fmt: skip
HARM = {"kill": "killed", "die": "killed", "dead": "killed", "death": "killed",
        "wound": "wounded", "injure": "wounded", "hurt": "wounded", "hit": "wounded",
        "injury": "wounded", "wounded": "wounded", "injured": "wounded"}  # fmt: skip
RECIPROCAL = {"each", "another"}  # "at each other", "at one another"
FORCE_HARM = {"kill", "wound", "injure"}
OTHER_MEANS = {"strike", "airstrike", "air", "shelling", "shell", "mortar", "rocket", "missile",
               "drone", "bomb", "bombing", "blast", "explosion", "explosive", "mine", "landmine",
               "artillery", "grenade", "knife", "stab", "stabbing", "beat", "beating", "baton",
               "club", "stone", "vehicle", "truck", "car", "crash", "accident", "stampede",
               "crush", "drown", "raid", "tank", "helicopter", "aircraft", "jet", "plane",
               "avalanche", "storm", "cold", "heat", "disease", "ambush", "attack",
               "suicide", "militant", "rebel", "gunman", "gunmen", "fighter",
               "insurgent", "terrorist"}  # fmt: skip

BORDER_THINGS = {"border", "frontier", "crossing", "checkpoint", "gate", "post", "port",
                 "boundary", "corridor", "passage", "pass", "bridge", "road", "route",
                 "door", "doors", "fence", "line", "point"}  # fmt: skip
BORDER_WORDS = {"border", "frontier", "crossing", "checkpoint", "boundary", "no-man",
                "fence", "crossing-point"}  # fmt: skip

# Verbs that act on a border (their object is a border, crossing or gate).
ON_BORDER = {"open": "open", "reopen": "reopen", "unseal": "reopen", "unblock": "reopen",
             "close": "close", "shut": "close", "suspend": "close", "halt": "close",
             "seal": "seal", "lock": "close", "barricade": "seal", "block": "close"}  # fmt: skip
# Verbs that act on people at a border; the particle or complement decides the action.
ON_PEOPLE_BACK = {"push", "turn", "force", "drive", "send", "drove", "chase", "beat"}
ON_PEOPLE = {"repel": "push_back",
             "admit": "let_through", "receive": "let_through", "welcome": "let_through",
             "wave": "let_through", "usher": "let_through", "bus": "let_through"}  # fmt: skip
LET = {"let", "allow", "permit", "help", "enable"}
INTO = {"in", "into", "through", "across", "over", "onto", "inside", "pass", "cross", "enter",
        "travel", "move", "come", "transit", "proceed", "head"}  # fmt: skip
ENTRY_PREPS = {"into", "onto", "inside", "across"}  # "into Tajikistan", "onto Tajik soil"
LAND = {"soil", "territory", "country", "side"}
STOP = {"stop", "cease", "quit", "end"}
HOLD = {"block", "prevent", "stop", "hold", "hinder", "restrict", "guard", "police"}
ENTRY_NOUNS = {"entry", "passage", "transit", "access", "crossing"}
ENTRY_VERBS = {"speed": "let_through", "ease": "let_through", "facilitate": "let_through",
               "smooth": "let_through", "grant": "let_through", "allow": "let_through",
               "permit": "let_through", "refuse": "push_back", "deny": "push_back",
               "bar": "push_back", "block": "push_back"}  # fmt: skip
REFUSE = {"refuse", "decline", "reject"}
ORDER = {"order", "declare"}  # "ordered the border shut", "declared the crossing open"
STATES = {"shut": "close", "closed": "close", "sealed": "seal", "open": "open",
          "reopened": "reopen"}  # fmt: skip
EASE = {"ease", "lift", "relax", "remove", "loosen", "scrap", "drop"}
CURBS = {"curb", "restriction", "control", "closure", "ban", "check", "limit"}

FOR_WORDS = {
    "refugee": "refugees", "rohingya": "refugees", "evacuee": "refugees",
    "displaced": "refugees", "asylum": "refugees", "seeker": "refugees", "fleeing": "refugees",
    "stranded": "refugees", "wounded": "refugees", "injured": "refugees",
    "migrant": "migrants", "foreigner": "migrants",
    "tourist": "tourists", "tourism": "tourists", "visitor": "tourists",
    "holidaymaker": "tourists", "traveller": "tourists", "traveler": "tourists",
    "trade": "trade", "cargo": "trade", "truck": "trade", "lorry": "trade", "goods": "trade",
    "freight": "trade", "vehicle": "trade", "traffic": "trade", "commerce": "trade",
    "export": "trade", "import": "trade", "trader": "trade", "business": "trade",
    "pilgrim": "pilgrims", "pilgrimage": "pilgrims",
    "aid": "aid", "humanitarian": "aid", "relief": "aid", "convoy": "aid",
    "people": "people", "family": "people", "civilian": "people", "person": "people",
    "resident": "people", "national": "people", "citizen": "people", "student": "people",
    "patient": "people", "worker": "people", "soldier": "people", "troop": "people",
    "personnel": "people",
    "everyone": "everyone", "all": "everyone", "pedestrian": "people",
}  # fmt: skip


def _lemma(token: Token) -> str:
    lemma = token.lemma_.lower()
    if lemma.endswith("s") and lemma not in SECURITY and lemma[:-1] in {**SECURITY, **TARGETS}:
        return lemma[:-1]  # a headline's "Guards" is tagged PROPN and keeps its plural
    return lemma


def _pobjs(token: Token, preps: set[str]) -> list[Token]:
    return [g for p in token.children if p.dep_ == "prep" and p.lower_ in preps
            for g in p.children if g.dep_ == "pobj"]  # fmt: skip


def _expand(noun: Token) -> Token:
    """ "a team of BSF men", "15 of them", "a rally of laborers": the people after "of"."""
    if noun.lower_ in COLLECTIVE or noun.lemma_.lower() in COLLECTIVE or noun.like_num:
        inner = _pobjs(noun, {"of"})
        if inner:
            return _expand(inner[0])
    return noun


@dataclass(frozen=True)
class Reading:
    """What the frame reader needs besides the doc: the gazetteer and the modality judge."""

    gazetteer: Gazetteer
    judge: ModalityJudge
    retrospective: bool = False

    def country(self, token: Token) -> str | None:
        """The country a person phrase belongs to: "Turkish guards", "India's BSF"."""
        for t in (token, *token.children):
            if t.ent_type_ in ("NORP", "GPE") or t.dep_ in ("amod", "compound", "poss"):
                code = self.gazetteer.country(t.text)
                if code:
                    return code
        for obj in _pobjs(token, {"from", "of"}):
            code = self.gazetteer.country(obj.text)
            if code:
                return code
        return None

    def shooter(self, token: Token | None) -> str | None:
        """As ``kind``, but a country or nationality that fires is its forces ("Israeli
        fire", "Turkey fired"), and people who fire at forces are an armed group."""
        if token is None:
            return None
        found = self.kind(token)
        if found is None or found == "people":
            # "Kyrgyz and Tajik security forces": the parse may head the pair with the
            # first demonym; the forces are its conjunct.
            joined = [k for c in token.conjuncts if (k := self.kind(c)) in STATE_FORCES]
            found = joined[0] if joined else found
        if found == "people" and token.ent_type_ in ("NORP", "GPE"):
            return "security_personnel"
        if found == "smuggler":
            return "armed_group"  # smugglers who fire are an armed group
        return found

    def kind(self, token: Token | None, depth: int = 0) -> str | None:
        """The kind of people a noun names, or None when it names none."""
        if token is None or depth > 3:
            return None
        token = _expand(token)
        lemma, lower = _lemma(token), token.lower_
        if lower == "other" and any(c.lower_ in RECIPROCAL for c in token.children):
            return "reciprocal"  # "at each other"
        if lower == "another" and any(c.lower_ == "one" for c in token.lefts):
            return "reciprocal"
        if lower in ("those", "others", "everyone", "anyone", "thousands", "hundreds"):
            return "people"
        if token.pos_ == "PRON":
            return self.kind(antecedent(token), depth + 1)
        lefts = [t for c in token.lefts if c.dep_ in ("compound", "amod") for t in c.subtree]
        if lemma in SECURITY or lower in SECURITY:  # "border police", "army officer"
            if any(_lemma(t) in ("border", "coast", "frontier") for t in lefts):
                return "border_guard"
            if any(_lemma(t) in ("army", "military") for t in lefts):
                return "soldier"
        if lemma in SECURITY or lower in SECURITY:
            return SECURITY.get(lemma) or SECURITY[lower]
        if token.ent_type_ == "ORG" and {w.lower_ for w in _ent_tokens(token)} & SECURITY_ORG_WORDS:
            return "border_guard" if "border" in {w.lower_ for w in _ent_tokens(token)} else (
                "security_personnel")  # fmt: skip
        if lemma in ARMED or lower in ARMED:
            return "armed_group"
        if lemma in TARGETS or lower in TARGETS:
            return TARGETS.get(lemma) or TARGETS[lower]
        if token.ent_type_ in ("NORP", "GPE") and self.gazetteer.country(token.text):
            # "11 Syrians" are people; "Israel fired" is the state's forces.
            return "people" if token.ent_type_ == "NORP" else "security_personnel"
        return None


def _ent_tokens(token: Token) -> list[Token]:
    doc = token.doc
    for ent in doc.ents:
        if ent.start <= token.i < ent.end:
            return list(ent)
    return [token]


def antecedent(pron: Token) -> Token | None:
    """The nearest earlier noun naming people, in this sentence or the one before
    ("guards fired on migrants and killed them": them = migrants)."""
    if pron.lower_ not in ("them", "they", "him", "he", "her", "she", "us", "we"):
        return None
    start = pron.sent.start
    prev = pron.doc[start - 1].sent.start if start > 0 else start
    verb = pron.head.head if pron.head.dep_ == "prep" else pron.head
    own = {t.i for c in verb.children if c.dep_ in ("nsubj", "nsubjpass") for t in c.subtree}
    for t in reversed(pron.doc[prev : pron.i]):
        if t.i in own:
            continue
        lemma = _lemma(t)
        if t.pos_ in ("NOUN", "PROPN") and (
            lemma in TARGETS
            or lemma in SECURITY
            or lemma in ARMED
            or (t.ent_type_ == "NORP" and t.tag_ in ("NNS", "NNPS"))  # "the Egyptians"
        ):
            return t
    return None


def _weapon(tokens: list[Token]) -> str:
    words = [t.lower_ for t in tokens]
    text = " ".join(words)
    if "rubber" in words:
        return "rubber"
    if "plastic" in words and ("bullet" in text or "bullets" in text):
        return "plastic"
    if "tear" in words and "gas" in words:
        return "tear_gas"
    if {"live", "ammunition", "rifle", "rifles", "ak-47", "gunfire", "machine"} & set(words):
        return "live"
    return "unknown"


def _outcome(tokens: list[Token]) -> str:
    found = {HARM.get(t.lemma_.lower()) or HARM.get(t.lower_) for t in tokens} - {None}
    if "killed" in found:
        return "killed"
    return "wounded" if found else "shot_at"


def _near(trigger: Token) -> list[Token]:
    """The clause around a trigger, for outcome words: its subtree and its governing verb's,
    less any joined clause with a subject of its own ("smugglers shot at the police, and
    that a Sudanese was hurt": the hurt is not the police's)."""
    head = trigger
    while head.dep_ in ("xcomp", "conj", "dobj", "pobj", "prep", "advcl") and head.head != head:
        head = head.head
        if head.pos_ == "VERB":
            break
    own = {trigger.i} if trigger.i == head.i else {t.i for t in trigger.subtree}
    out: list[Token] = []
    for t in head.subtree:
        clause = _clause_of(t, head)
        if t.i in own or clause is None or not _own_subject(clause):
            out.append(t)
    return out


def _clause_of(token: Token, top: Token) -> Token | None:
    """The outermost joined clause (conj, ccomp, parataxis) below ``top`` holding ``token``."""
    found = None
    while token.i != top.i and token.head.i != token.i:
        if token.dep_ in ("conj", "ccomp", "parataxis") and token.pos_ in ("VERB", "AUX"):
            found = token
        token = token.head
    return found


def _own_subject(verb: Token) -> bool:
    return any(c.dep_ in ("nsubj", "nsubjpass") and c.pos_ != "PRON" for c in verb.children)


def _place(sent: Span, reading: Reading) -> list[str]:
    out: list[str] = []
    for ent in sent.ents:
        if ent.label_ == CROSSING and ent.ent_id_:
            out.append(ent.ent_id_)
    for ent in sent.ents:
        for code in reading.gazetteer.countries_of(ent):
            if code not in out:
                out.append(code)
    return out


RETROSPECTIVE = {"anniversary", "commemorate", "commemoration", "memorial", "tribute", "honour",
                 "honor", "mark", "remember", "recall"}  # fmt: skip
LEGAL = {"rule", "find", "convict", "acquit", "sentence", "clear", "uphold", "overturn", "sue",
         "testify", "prosecute", "charge", "try"}  # fmt: skip
BARRING = {"against", "without", "instead", "than", "of"}  # "was against closing the border"


COURTS = {"court", "judge", "tribunal", "jury", "justice", "prosecutor", "magistrate", "panel",
          "inquiry", "investigator", "commission"}  # fmt: skip


def _judging(verb: Token) -> bool:
    """A court's verb ("the court found that guards had fired", "was convicted of shooting"),
    not the same word in its everyday sense ("tried to stop them from closing")."""
    if verb.lemma_.lower() not in LEGAL:
        return False
    if any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children):
        return True  # "was tried for", "were charged with"
    subjects = [c for c in verb.children if c.dep_ == "nsubj"]
    return any(_lemma(t) in COURTS for s in subjects for t in s.subtree)


POLICIES = {"policy", "programme", "program", "scheme", "protocol", "law", "regime", "rule",
            "system", "measure", "deal", "agreement"}  # fmt: skip


def _policy_record(verb: Token) -> bool:
    """ "the policy saw thousands refused entry", "the scheme led to 500 returns": what a
    policy did over its life is background to news about the policy, not an event."""
    return (
        verb.pos_ == "VERB"
        and verb.lemma_.lower() in ("see", "lead", "mean", "result")
        and any(c.dep_ == "nsubj" and _lemma(c) in POLICIES for c in verb.children)
    )


def retrospective(doc: Doc) -> bool:
    """An anniversary or memorial piece: its headline looks back ("marks 20 years since",
    "first anniversary of"), so the events it tells are history, not news."""
    first = next(iter(doc.sents), None)
    if first is None:
        return False
    lemmas = {t.lemma_.lower() for t in first}
    if lemmas & {"anniversary", "commemorate", "commemoration", "memorial"}:
        return True
    return bool(lemmas & RETROSPECTIVE) and "year" in lemmas and bool(lemmas & {"since", "after"})


EVENT_VERBS = {*ON_BORDER, *ON_PEOPLE, *ON_PEOPLE_BACK, *LET, *HARM, "fire", "shoot", "flee",
               "cross", "let", "take", "stop", "clash", "attack", "fight"}  # fmt: skip


def background(trigger: Token) -> bool:
    """ "acted after 33 soldiers were killed", "a jump 13 months after the borders reopened":
    an event told in an after/since clause of something that is not itself such an event is
    the story's background. ("Croatia shut crossings after letting thousands in" is news:
    the clause hangs off another border action.)"""
    verb = trigger
    while verb.pos_ not in ("VERB", "AUX") and verb.head != verb:
        verb = verb.head
    marks = {c.lower_ for c in verb.children if c.dep_ == "mark"}
    head = verb.head
    if verb.dep_ == "pcomp" and head.lower_ in ("after", "since"):
        marks, head = {head.lower_}, head.head
    if verb.dep_ == "relcl" and any(c.lower_ == "which" for c in verb.subtree):
        # "acted after raids in October, in which nine police died", "after posts were
        # attacked, an assault in which nine police died": the clause the "which" belongs
        # to, and what that clause is the background of.
        clause = verb.head
        while clause.dep_ in ("appos", "pobj", "prep", "npadvmod") and clause.head.i != clause.i:
            clause = clause.head
        if clause.dep_ == "pcomp" and clause.head.lower_ in ("after", "since"):
            marks, head = {"after"}, clause.head.head
        elif any(c.dep_ == "mark" and c.lower_ in ("after", "since") for c in clause.children):
            marks, head = {"after"}, clause.head
        elif any(c.dep_ == "prep" and c.lower_ in ("after", "since") for c in clause.children):
            marks, head = {"after"}, clause
    if not marks & {"after", "since"} or head == verb:
        return False
    if "since" not in marks and _recent_gap(verb):
        return False  # "came hours after 33 soldiers were killed": the toll is today's news
    return head.lemma_.lower() not in EVENT_VERBS


RECENT_UNITS = {"minute", "hour", "day", "moment", "night"}


def _recent_gap(verb: Token) -> bool:
    """An "after" clause measured in hours or days ("hours after", "a day after") tells what
    just happened, which a wire report leads with; one measured in months or years, or not
    measured at all, tells the background."""
    after = next((t for t in verb.subtree if t.lower_ == "after" and t.i < verb.i), None)
    if after is None and verb.dep_ == "pcomp":
        after = verb.head
    if after is None:
        return False
    near = [after.head, *after.children] if after.head != after else list(after.children)
    return any(
        t.lemma_.lower() in RECENT_UNITS
        for token in near
        for t in (token, *token.children)
        if t == token or t.dep_ in ("npadvmod", "nummod", "amod", "det")
    )


# The noun an infinitive hangs off says what it is: asked for, decided, or only aimed at.
REQUESTS = {"request", "call", "demand", "appeal", "plea", "petition", "bid", "motion",
            "proposal", "pressure", "ultimatum", "push"}  # fmt: skip
DECISIONS = {"decision", "order", "plan", "move", "agreement", "deal", "vote", "resolution"}
PURPOSE = "purpose"  # not a frame: what an act was for, not an act


def _since_year(trigger: Token) -> bool:
    """ "the pass, shut since 2019": a state that has lasted since a year is the story's
    background; news of the act itself gives a day ("closed since Monday")."""
    return any(
        prep.dep_ == "prep"
        and prep.lower_ == "since"
        and any(t.like_num and len(t.text) == 4 and t.text.isdigit() for t in prep.subtree)
        for prep in trigger.children
    )


def _standing(trigger: Token) -> bool:
    """ "has shut its borders, although it still lets in the gravely ill": "still" on a verb
    in the simple present, past the headline, tells a standing practice, not today's act.
    (A headline's present is its past: "Hungary still lets in refugees" is news.)"""
    return (
        trigger.tag_ in ("VBZ", "VBP")
        and trigger.sent.start > 0
        and any(c.dep_ == "advmod" and c.lower_ == "still" for c in trigger.children)
    )


def _status(reading: Reading, span: Span, trigger: Token) -> str:
    if reading.retrospective or _standing(trigger):
        return "historical"
    if trigger.tag_ == "VBG" and trigger.dep_ in ("pcomp", "dobj", "nsubj", "csubj"):
        if trigger.dep_ == "pcomp" and trigger.head.lower_ in BARRING:
            return "denied"  # "opposed to closing", "without opening"
        if trigger.dep_ != "pcomp":
            return "planned"  # "regarded shutting the border as out of the question"
    if trigger.dep_ in ("advcl", "acl") and any(c.tag_ == "TO" for c in trigger.children):
        noun = trigger.head.lemma_.lower() if trigger.dep_ == "acl" else ""
        if noun in REQUESTS:
            return "demanded"  # "a request to keep Venezuelans out"
        if noun in DECISIONS:
            return "planned"  # "the decision to close the border"
        return "purpose"  # "stepped up patrols to keep migrants out", "efforts to stop"
    if background(trigger) or _since_year(trigger):
        return "historical"
    if any(_judging(a) for a in trigger.ancestors):
        return "historical"  # a court judging what a state did earlier
    if any(_policy_record(a) for a in trigger.ancestors):
        return "historical"  # "the policy saw 65,000 people turned back": its record
    return status_of(reading.judge, span, state=trigger.pos_ == "ADJ")


def _is_lead(token: Token) -> bool:
    return sum(1 for sent in token.doc.sents if sent.start <= token.i) <= LEAD


def _span(doc: Doc, *tokens: Token | None) -> Span:
    ids = [t.i for t in tokens if t is not None]
    return doc[min(ids) : max(ids) + 1]


# -- shootings -----------------------------------------------------------------------------


def _fire_targets(verb: Token) -> list[Token]:
    targets = _pobjs(verb, {"on", "at", "upon", "towards", "toward", "into", "against"})
    for child in verb.children:
        if child.dep_ == "dobj" and _lemma(child) == "fire":  # "opened fire on"
            targets += _pobjs(child, {"on", "at", "upon", "towards", "toward", "into"})
    return targets


def _other_means(sent: Span) -> bool:
    """The sentence names a way of killing that is not a gun: a strike, a blast, a knife."""
    return any(_lemma(t) in OTHER_MEANS or t.lower_ in OTHER_MEANS for t in sent)


def _shooting_triggers(doc: Doc) -> Iterator[tuple[Token, list[Token], Token | None, bool]]:
    """(trigger, targets, shooter, read from a killing by forces) for each firing verb or
    firearm casualty in the doc."""
    for t in doc:
        lemma = t.lemma_.lower()
        if t.pos_ not in ("VERB", "AUX") and not (lemma == "fire" and t.dep_ == "dobj"):
            continue
        if (lemma == "fire" and t.pos_ == "VERB") or (
            lemma in ("open", "return", "aim", "direct", "turn")
            and any(
                c.dep_ == "dobj" and (_lemma(c) in FIREARMS or c.lower_ in ("guns", "weapons"))
                for c in t.children
            )
        ):
            yield t, _fire_targets(t), perpetrator(t), False
        elif lemma in ("shoot", "gun"):
            passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in t.children)
            targets = [c for c in t.children if c.dep_ in ("dobj", "nsubjpass")]
            targets += _pobjs(t, {"at", "on"})
            if not targets:  # "shot and killed two people"
                targets = [g for c in t.children if c.dep_ == "conj"
                           for g in c.children if g.dep_ == "dobj"]  # fmt: skip
            if not targets and t.dep_ in ("relcl", "acl"):  # "a smuggler shot dead by the BSF"
                targets = [t.head]
            by = perpetrator(t) if passive or any(c.dep_ == "nsubj" for c in t.children) else None
            if by is None and t.dep_ == "conj":
                by = perpetrator(t.head)
            yield t, targets, by, False
        elif lemma in HARM and lemma not in ("dead", "death"):
            instruments = _pobjs(t, {"by", "with", "in", "from"}) + [
                g for c in t.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"
            ]  # fmt: skip
            subj = [c for c in t.children if c.dep_ == "nsubj"]
            targets = [c for c in t.children if c.dep_ in ("dobj", "nsubjpass")]
            if not targets and t.dep_ in ("relcl", "acl"):  # "a villager killed by BSF fire"
                targets = [t.head]
            # "kills three loggers in firefight": the firearm may hang off the victims
            instruments += [g for o in targets for g in _pobjs(o, {"in", "with", "by"})]
            firearm = [i for i in instruments + subj if _lemma(i) in FIREARMS]
            if firearm:
                yield t, targets, _shooter_of_fire(firearm[0]) or perpetrator(t), False
            elif lemma in FORCE_HARM and targets and not _other_means(t.sent):
                # "soldiers killed two villagers at the crossing": forces that kill or wound
                # people, by no other means the sentence names, shot them
                yield t, targets, perpetrator(t), True


def _shooter_of_fire(fire: Token) -> Token | None:
    """ "BSF fire", "Israeli army fire", "gunfire from Turkish guards", "a bullet a soldier
    fired": the shooter hangs off the firearm noun."""
    for obj in _pobjs(fire, {"from", "by"}):
        return obj
    mods = [c for c in fire.children if c.dep_ in ("compound", "amod", "poss", "nmod")
            and c.pos_ in ("NOUN", "PROPN", "ADJ")]  # fmt: skip
    for child in sorted(mods, key=lambda c: c.pos_ == "ADJ"):
        return child
        if child.dep_ in ("relcl", "acl"):
            for g in child.children:
                if g.dep_ == "nsubj":
                    return g
    return None


STATE_FORCES = frozenset({"border_guard", "soldier", "police", "security_personnel"})
CIVILIAN_KINDS = frozenset({"migrant", "refugee", "asylum_seeker", "civilian", "child", "people",
                            "smuggler"})  # fmt: skip


def shootings(doc: Doc, reading: Reading) -> list[tuple[Shooting, Span]]:
    found: list[tuple[Shooting, Span]] = []
    seen: set[int] = set()
    for trigger, targets, by_token, by_harm in _shooting_triggers(doc):
        if trigger.i in seen:
            continue
        seen.add(trigger.i)
        if by_token is None and trigger.dep_ in ("xcomp", "conj"):
            by_token = perpetrator(trigger.head)  # "guards threatened to open fire"
        by = reading.shooter(by_token)
        at_token = next((t for t in targets if reading.kind(t)), targets[0] if targets else None)
        at = reading.kind(at_token) if at_token is not None else None
        if by_harm:
            if by not in STATE_FORCES:
                continue
            if at is None and at_token is not None and count_of(at_token).value is not None:
                at = "people"  # "soldiers kill two Pemon": a number of someone is people
            if at not in CIVILIAN_KINDS:
                continue  # forces killing forces or militants: no shooting at people
        if at == "reciprocal":
            at = by or "unknown"
        elif (
            at is not None
            and at == by
            and (
                reading.country(by_token) == reading.country(_expand(at_token))  # type: ignore[arg-type]
            )
        ):
            continue  # "police shot police" with one side: a misread role, not a frame
        if by is None and at is None:
            continue  # "fire broke out", "the film shoots in May": no people in either role
        status = _status(reading, doc[trigger.i : trigger.i + 1], trigger)
        if status == PURPOSE:
            continue  # "deployed snipers to shoot anyone crossing": an aim, not a shooting
        clause = _near(trigger)
        count = count_of(_expand(at_token)).value if at_token is not None else None
        span = _span(doc, trigger, by_token, at_token)
        found.append(
            (
                Shooting(
                    by=by
                    if by
                    in ("border_guard", "soldier", "police", "security_personnel", "armed_group")
                    else "unknown",
                    by_country=reading.country(by_token) if by_token is not None else None,
                    at=at or "unknown",
                    at_country=reading.country(_expand(at_token)) if at_token is not None else None,
                    weapon=_weapon(list(trigger.sent)),
                    outcome=_outcome(clause),
                    count=count,
                    where=_place(trigger.sent, reading),
                    status=status,
                    headline=_is_lead(trigger),
                    sentence=trigger.sent.text.strip(),
                ),
                span,
            )
        )
    return found


# -- border actions ------------------------------------------------------------------------


def _is_border_thing(token: Token) -> bool:
    if token.ent_type_ == CROSSING:
        return True
    lemma = _lemma(token)
    if lemma in BORDER_THINGS:
        return lemma not in (
            "road",
            "route",
            "line",
            "point",
            "post",
            "door",
            "doors",
            "pass",
            "passage",
            "bridge",
            "port",
            "gate",
        ) or _border_context(token)
    return False


def _border_context(token: Token) -> bool:
    """A weak border noun ("the road", "its doors") counts when the sentence names a border,
    or a way into a country ("into Tajikistan", "onto Tajik soil", "inside the country"), or
    land between two countries (what lies between them is their border)."""
    sent = token.sent
    if any(_lemma(t) in BORDER_WORDS or t.ent_type_ == CROSSING for t in sent):
        return True
    for prep in sent:
        if prep.dep_ != "prep" or prep.lower_ not in ENTRY_PREPS | {"between"}:
            continue
        objs = [g for g in prep.children if g.dep_ == "pobj"]
        objs += [c for o in objs for c in o.conjuncts]
        lands = [o for o in objs if o.ent_type_ in ("GPE", "NORP") or _lemma(o) in LAND]
        if prep.lower_ == "between" and len(lands) >= 2:
            return True
        if prep.lower_ in ENTRY_PREPS and lands:
            return True
    return False


def _context_before(token: Token) -> bool:
    """The sentence before names a border: "2,000 crossed into Tunisia. They were let in"."""
    start = token.sent.start
    return start > 0 and _border_context(token.doc[start - 1])


def _people(token: Token, reading: Reading) -> bool:
    kind = reading.kind(token)
    return kind is not None and kind not in ("reciprocal",)


def _for_whom(trigger: Token, objects: list[Token], reading: Reading) -> str:
    """Who the border is opened or closed for: the words after "for/to", the people let
    through, else what the sentence says of travellers, trade or refugees."""
    pools = [*(_pobjs(trigger, {"for", "to"})), *objects]
    for obj in objects:
        pools += _pobjs(obj, {"for", "to"})
    for xcomp in (c for c in trigger.children if c.dep_ in ("advcl", "xcomp")):
        pools += [c for c in xcomp.subtree if c.dep_ in ("nsubj", "dobj", "pobj")]
    for word in pools:
        if word.pos_ == "PRON":  # "they were let in": whoever they are
            word = antecedent(word) or word
        for t in _expand(word).subtree:
            value = FOR_WORDS.get(_lemma(t)) or FOR_WORDS.get(t.lower_)
            if value:
                return value
        if word.ent_type_ == "NORP":
            return "people"
    sentence = [FOR_WORDS.get(_lemma(t)) for t in trigger.sent]
    for value in ("refugees", "migrants", "trade", "tourists", "pilgrims", "aid"):
        if value in sentence:
            return value
    return "unknown"


def _actor(trigger: Token, reading: Reading) -> str | None:
    subjects = [c for c in trigger.children if c.dep_ in ("nsubj", "agent")]
    if not subjects and trigger.dep_ in ("conj", "xcomp", "advcl"):
        subjects = [c for c in trigger.head.children if c.dep_ == "nsubj"]
    for s in subjects:
        if s.dep_ == "agent":
            s = next((g for g in s.children if g.dep_ == "pobj"), s)
        code = reading.gazetteer.country(s.text) or reading.country(s)
        if code:
            return code
        for ent in s.doc.ents:  # "the Bangladeshi authorities", "Border Guard Bangladesh"
            if ent.start >= s.left_edge.i and ent.end <= s.right_edge.i + 1:
                codes = reading.gazetteer.countries_of(ent)
                if codes:
                    return codes[0]
    for obj in [c for c in trigger.children if c.dep_ in ("dobj", "nsubjpass")]:
        for child in obj.children:  # "its frontier" -> whose? "Uganda's border"
            if child.dep_ == "poss":
                code = reading.gazetteer.country(child.text)
                if code:
                    return code
    return None


def _particle(verb: Token) -> set[str]:
    """ "pushed back", "forced them back across": particles, and adverbs stacked on them."""
    words = [c for c in verb.children if c.dep_ in ("prt", "advmod", "prep")]
    words += [g for c in words if c.dep_ in ("prt", "advmod") for g in c.children
              if g.dep_ in ("advmod", "prt")]  # fmt: skip
    return {c.lower_ for c in words}


def _action_of(t: Token, reading: Reading) -> tuple[str, list[Token]] | None:
    """The action a verb performs on a border or on people at one, with its objects."""
    lemma = t.lemma_.lower()
    # "a number of crossings were shut": the border things after "of"
    objects = [_expand(c) for c in t.children if c.dep_ in ("dobj", "nsubjpass")]
    if lemma == "open" and any(_lemma(o) == "fire" for o in objects):
        return None
    if lemma in ORDER:
        return _ordered(t)
    particles = _particle(t)
    if lemma in ON_BORDER and (
        any(_is_border_thing(o) for o in objects)
        or (
            lemma in ("open", "reopen", "close", "shut")
            and t.dep_ != "amod"
            and not objects
            and _subject_is_border(t)
        )
    ):
        action = ON_BORDER[lemma]
        if lemma == "throw" or ("off" in particles and lemma == "seal"):
            action = "seal"
        return action, objects
    if (
        lemma == "throw"
        and "open" in {c.lower_ for c in t.children}
        and any(_is_border_thing(o) for o in objects)
    ):
        return "open", objects
    people = [o for o in objects if _people(o, reading)]
    if lemma in LET or lemma in ON_PEOPLE or lemma in ("take", "bring", "move"):
        people += _let_people(t, reading)
    if lemma in ON_PEOPLE_BACK and {"back", "away"} & particles and (people or objects):
        return "push_back", people or objects
    if (
        lemma in ON_PEOPLE
        and people
        and (_border_context(t) or bool(_pobjs(t, INTO)) or bool(particles & INTO))
    ):
        return ON_PEOPLE[lemma], people
    if (
        lemma in ("take", "bring", "move")
        and "in" in {c.lower_ for c in t.children if c.dep_ in ("prt", "advmod")}
        and people
    ):
        return "let_through", people
    if lemma in LET and people:
        comps = [c for c in t.children if c.dep_ in ("ccomp", "xcomp", "prep", "prt", "advmod")]
        words = {c.lemma_.lower() for c in comps} | particles
        if words & INTO:
            return "let_through", people
    if lemma in LET and not people:
        # "allowed 25 asylum seekers into" parses the people as the subject of a clause.
        for comp in (c for c in t.children if c.dep_ in ("ccomp", "xcomp")):
            inner = [
                g for g in comp.children if g.dep_ in ("nsubj", "dobj") and _people(g, reading)
            ]
            if inner and ({comp.lemma_.lower()} | _particle(comp)) & INTO:
                return "let_through", inner
    if lemma in STOP:
        for comp in (c for c in t.children if c.dep_ in ("xcomp", "ccomp", "dobj")):
            if comp.lemma_.lower() in HOLD:
                return "stop_guarding", [c for c in comp.children if c.dep_ == "dobj"]
    if (
        lemma in HOLD
        and any(c.lower_ == "longer" for c in t.subtree if c.i < t.i + 1)
        and (any(_people(o, reading) for o in objects) or _border_context(t))
    ):
        return "stop_guarding", objects
    if lemma == "stand" and "down" in particles:
        return "stop_guarding", objects
    if lemma in ENTRY_VERBS and any(_lemma(o) in ENTRY_NOUNS for o in objects):
        return ENTRY_VERBS[lemma], objects
    if (
        lemma in EASE
        and any(_lemma(o) in CURBS for o in objects)
        and (_border_context(t) or any(_people(g, reading) for o in objects for g in o.subtree))
    ):
        return "let_through", objects
    if lemma in ("stop", "prevent", "block", "bar", "keep") and (people or objects):
        # "stopped the migrants from crossing", "kept the refugees out"
        words = {c.lemma_.lower() for o in objects for c in o.subtree} | particles
        if people and words & {"cross", "enter", "out", "reach", "land", "get", "through"}:
            return "push_back", people
    return None


def _ordered(verb: Token) -> tuple[str, list[Token]] | None:
    """ "ordered the border shut", "the frontier that Maduro had ordered closed", "declared
    the crossing open": the state is the action, on the object or the noun the clause
    describes."""
    states = [c for c in verb.children if c.lower_ in STATES and c.dep_ != "nsubj"]
    if not states:
        return None
    objects = [c for c in verb.children if c.dep_ in ("dobj", "nsubjpass") and c.lower_ not in
               STATES and c.pos_ != "PRON"]  # fmt: skip
    if not objects and verb.dep_ == "relcl":
        objects = [verb.head]
    if not any(_is_border_thing(o) for o in objects):
        return None
    return STATES[states[0].lower_], objects


def _let_people(verb: Token, reading: Reading) -> list[Token]:
    """People let in who are not the verb's object in the parse: after the particle ("lets in
    10,000 Rohingya"), the noun a participle describes ("asylum seekers admitted at the
    crossing"), the subject of a clause the parser split off ("admits 1,037 soldiers
    escaping")."""
    found = [g for g in _pobjs(verb, INTO) if _people(g, reading)]
    if verb.dep_ == "acl" and verb.tag_ == "VBN" and _people(verb.head, reading):
        found.append(verb.head)
    for comp in verb.children:
        if comp.dep_ in ("ccomp", "xcomp") and comp.tag_ == "VBG":
            found += [g for g in comp.children if g.dep_ == "nsubj" and _people(g, reading)]
    return found


def _subject_is_border(verb: Token) -> bool:
    return any(c.dep_ in ("nsubj", "nsubjpass") and _is_border_thing(c) for c in verb.children)


def _refused(verb: Token) -> bool:
    """ "refused to let them in", "declined to open the gate": the action is withheld."""
    token = verb
    for _ in range(3):
        if token.dep_ not in ("xcomp", "ccomp") or token.head == token:
            return False
        token = token.head
        if token.lemma_.lower() in REFUSE:
            return True
    return False


def border_actions(doc: Doc, reading: Reading) -> list[tuple[BorderAction, Span]]:
    found: list[tuple[BorderAction, Span]] = []
    border_doc = any(_lemma(t) in BORDER_WORDS or t.ent_type_ == CROSSING for t in doc)
    for t in doc:
        state = t.pos_ == "ADJ" and t.lower_ in ("open", "shut", "closed")
        if t.pos_ not in ("VERB", "AUX") and not state:
            continue
        read = _action_of(t, reading) if t.pos_ != "ADJ" else _state(t)
        if read is None:
            continue
        action, objects = read
        if action == "let_through" and not (
            _border_context(t) or (objects and objects[0].pos_ == "PRON" and _context_before(t))
        ):
            continue  # "countries that take in asylum seekers" is policy, not a border
        refused = _refused(t)
        if refused and action in ("open", "reopen", "let_through"):
            action = "push_back"  # "had refused to let them in" is a closure, told as one
        if action == "push_back" and not (
            _border_context(t) or _pobjs(t, INTO | {"to"}) or (border_doc and objects and
                                                               _people(objects[0], reading))
        ):  # fmt: skip
            continue  # "police pushed back protesters" in a capital is not a border
        status = _status(reading, doc[t.i : t.i + 1], t)
        if status == PURPOSE:
            continue
        crossing = next((e.ent_id_ for e in t.sent.ents if e.label_ == CROSSING and e.ent_id_),
                        None)  # fmt: skip
        span = _span(doc, t, *objects[:1])
        found.append(
            (
                BorderAction(
                    actor=_actor(t, reading),
                    action=action,
                    for_=_for_whom(t, objects, reading),
                    crossing=crossing,
                    border=[c for c in _place(t.sent, reading) if c.isupper()][:2],
                    status=status,
                    headline=_is_lead(t),
                    sentence=t.sent.text.strip(),
                ),
                span,
            )
        )
    return found


def _state(adj: Token) -> tuple[str, list[Token]] | None:
    """ "the border is open again", "the crossing was closed": a state, read as an action
    only when it is news ("again", "now", "reopened"); a bare state is background."""
    subj = [c for c in adj.head.children if c.dep_ == "nsubj"] if adj.dep_ == "acomp" else []
    if not subj or not any(_is_border_thing(s) for s in subj):
        return None
    news = {c.lower_ for c in adj.head.subtree} & {"again", "now", "finally"}
    if not news:
        return None
    return ("reopen" if adj.lower_ == "open" else "close"), subj


Reader = Callable[[Doc, Reading], list[tuple[Shooting, Span]] | list[tuple[BorderAction, Span]]]


# Words without which no frame can be read: the prefilter keeps spaCy off articles that
# have none of them, so it must stay a superset of every trigger above.
SHOOTING_WORDS = frozenset({*FIREARMS, "shoot", "gun"})
ACTION_WORDS = frozenset({
    *ON_BORDER, *ON_PEOPLE, *ON_PEOPLE_BACK, *LET, *STOP, *HOLD, *ENTRY_VERBS, *EASE, "take",
    "bring", "move", "stand", "keep", "throw", "open", "shut", "closed", "no",
})  # fmt: skip
