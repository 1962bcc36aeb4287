"""Plain-text pieces of an alert that several notifiers share."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from borderwatch.core.models import Alert, Border, BorderAction, Casualty, Facts, Shooting
from borderwatch.notifiers.sinks.countries import adjective, name

PLURAL_AS_IS = frozenset({"people", "police", "security personnel"})
MAX_COUNTRIES = 5
MAX_CASUALTIES = 4
T = TypeVar("T")


def _who(c: Casualty) -> str:
    who = (c.who or "people").replace("_", " ")
    if c.count != 1 and who not in PLURAL_AS_IS:
        who = "children" if who == "child" else who + "s"
    return f"{who} ({c.nationality})" if c.nationality else who


def casualty_line(c: Casualty) -> str:
    """ "at least 33 soldiers (TUR) killed, by Syrian forces"."""
    if c.count is None:
        amount = "an unknown number of"
    else:
        amount = f"{'at least ' if c.lower_bound else ''}{c.count}"
    by = f", by {c.by_text}" if c.by_text else ""
    return f"{amount} {_who(c)} {c.outcome}{by}"


def casualty_summary(facts: Facts) -> str:
    """Counted records first, each in the order the article gives them (the headline's toll
    before a background figure); more than a few go to "+N more"."""
    ranked = sorted(facts.casualties, key=lambda c: c.count is None)
    shown = [casualty_line(c) for c in ranked[:MAX_CASUALTIES]]
    more = len(ranked) - len(shown)
    return "; ".join(shown) + (f" (+{more} more)" if more > 0 else "")


def border_line(border: Border) -> str:
    pair = "–".join(border.countries)
    if border.name:
        text = f"{border.name} crossing ({pair})"
    else:
        text = f"{pair} border" if len(border.countries) > 1 else f"{pair} border area"
    if border.region:
        text += f", {border.region.replace('_', ' ').title()}"
    if border.lat is not None and border.lon is not None:
        text += f" [{border.lat:.2f}, {border.lon:.2f}]"
    return text


def headline(alert: Alert) -> str:
    """The category in English; an article in another language says which (evidence stays in it)."""
    language = alert.article.language
    shown = f" [{language}]" if language and language != "en" else ""
    return f"[{alert.severity.value.upper()}] {alert.category.replace('_', ' ')}{shown}"


def where(facts: Facts) -> str:
    """The border (crossing or country pair), then the first-named countries."""
    shown = facts.countries[:MAX_COUNTRIES]
    more = len(facts.countries) - len(shown)
    countries = ", ".join(shown) + (f" (+{more})" if more > 0 else "")
    if facts.border is not None:
        return (
            f"{border_line(facts.border)} · {countries}" if countries else border_line(facts.border)
        )
    return countries or "unknown"


def confidence_label(alert: Alert) -> str | None:
    """ "likely (0.62)": the band says how far to trust the alert, the number how close it is
    to the next band. None for alerts from before confidence was scored."""
    score = f"{alert.confidence:.2f}" if alert.confidence is not None else None
    if alert.band and score:
        return f"{alert.band} ({score})"
    return alert.band or score


# Event frames as one line of plain English. The words come from closed vocabularies
# (core.models), never from the article, except a perpetrator as written ("by militants"), so
# every renderer still escapes the line as article text.
FORCES = ("soldier", "border_guard", "police", "security_personnel")
OPENING_ACTIONS = frozenset({"open", "reopen", "let_through", "stop_guarding"})
CLOSURE_ACTIONS = frozenset({"close", "seal", "push_back", "resume_guarding"})
MAX_TROOP_GROUPS = 2  # army against army: one group per side
MAX_BY_TEXT = 60

_SHOOTERS = {"border_guard": "border guards", "soldier": "soldiers", "police": "police",
             "security_personnel": "security forces", "armed_group": "gunmen"}  # fmt: skip
_TARGETS = {"migrant": "migrants", "refugee": "refugees", "asylum_seeker": "asylum seekers",
            "civilian": "civilians", "child": "children", "people": "people",
            "smuggler": "smugglers", "soldier": "soldiers", "border_guard": "border guards",
            "police": "police", "security_personnel": "security forces",
            "armed_group": "militants"}  # fmt: skip
_WEAPONS = {"live": "live rounds", "rubber": "rubber bullets", "plastic": "plastic bullets",
            "tear_gas": "tear gas"}  # fmt: skip
_UNCOUNTED = {"killed": "deaths reported", "wounded": "injuries reported"}
_SHOT_STATUS = {"planned": "planned", "demanded": "demanded", "threatened": "threatened",
                "denied": "denied", "historical": "in the past"}  # fmt: skip
_SAME_OUTCOME = {"killed": {"killed"}, "wounded": {"wounded", "injured"}}
_FOR = {"refugees": "refugees", "migrants": "migrants", "people": "people", "trade": "trade",
        "tourists": "tourists", "pilgrims": "pilgrims", "aid": "aid", "citizens": "citizens",
        "everyone": "everyone"}  # fmt: skip
# action -> (base, past, gerund) of its verb
_VERBS = {"open": ("open", "opened", "opening"), "reopen": ("reopen", "reopened", "reopening"),
          "close": ("close", "closed", "closing"), "seal": ("seal", "sealed", "sealing"),
          "push_back": ("push back", "pushed back", "pushing back"),
          "let_through": ("let", "let", "letting"),
          "stop_guarding": ("stop", "stopped", "stopping"),
          "resume_guarding": ("resume", "resumed", "resuming")}  # fmt: skip
_TROOPS = {"soldier": ("soldier", "soldiers"), "border_guard": ("border guard", "border guards"),
           "police": ("police officer", "police officers"),
           "security_personnel": ("security personnel", "security personnel")}  # fmt: skip


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def _of(code: str | None, noun: str) -> str:
    return f"{adjective(code)} {noun}" if code else noun


def _names(codes: list[str]) -> str:
    return " and ".join(name(c) for c in codes)


def _best(frames: list[T], key: Callable[[T], tuple[int, ...]]) -> T | None:
    """The highest-scoring frame; on a tie the first the article gives."""
    ranked = sorted(enumerate(frames), key=lambda pair: (key(pair[1]), -pair[0]), reverse=True)
    return ranked[0][1] if ranked else None


def _shot_count(s: Shooting, facts: Facts) -> tuple[int | None, bool]:
    """The frame's own count, else a casualty record of its sentence with the same outcome
    ("fired rubber bullets at migrants, wounding one man"): (count, at least)."""
    if s.count is not None:
        return s.count, False
    same = _SAME_OUTCOME.get(s.outcome, set())
    for c in facts.casualties:
        if c.count is not None and c.outcome in same and c.sentence and c.sentence == s.sentence:
            return c.count, c.lower_bound
    return None, False


def _shooting_score(s: Shooting, facts: Facts) -> tuple[int, ...]:
    known = [s.by != "unknown", s.at != "unknown", s.outcome != "shot_at",
             _shot_count(s, facts)[0] is not None, s.weapon != "unknown",
             s.by_country is not None, s.at_country is not None]  # fmt: skip
    return (s.status == "done", sum(known), s.headline)


def shooting_line(s: Shooting, facts: Facts) -> str:
    """ "Greek guards fired rubber bullets at migrants, 1 wounded"."""
    noun = _SHOOTERS.get(s.by)
    if noun == "border guards" and s.by_country:
        noun = "guards"  # "Greek guards": the border is in the alert's Where
    shooter = _of(s.by_country, noun) if noun else None
    target = _of(s.at_country, _TARGETS[s.at]) if s.at in _TARGETS else None
    weapon = _WEAPONS.get(s.weapon)
    if shooter and weapon:
        line = f"{shooter} fired {weapon}" + (f" at {target}" if target else "")
    elif shooter:
        line = f"{shooter} opened fire" + (f" on {target}" if target else "")
    else:
        line = f"{weapon or 'shots'} fired" + (f" at {target}" if target else "")
    count, at_least = _shot_count(s, facts)
    if s.outcome in _UNCOUNTED:
        amount = f"{'at least ' if at_least else ''}{count}" if count is not None else None
        line += f", {amount} {s.outcome}" if amount else f", {_UNCOUNTED[s.outcome]}"
    if s.status in _SHOT_STATUS:
        line += f" ({_SHOT_STATUS[s.status]})"
    return _sentence_case(line)


def _crossing_name(crossing: str, facts: Facts) -> str:
    border = facts.border
    shown = border.name if border and border.crossing == crossing and border.name else None
    shown = shown or crossing.replace("_", " ").title()
    if any(word in shown.lower() for word in ("crossing", "pass", "bridge", "gate")):
        return f"the {shown}"
    return f"the {shown} crossing"


def _place(a: BorderAction, facts: Facts) -> str:
    if a.crossing:
        return _crossing_name(a.crossing, facts)
    if a.actor:
        others = [c for c in a.border if c != a.actor]
        return f"its border with {_names(others)}" if others else "its border"
    if a.border:
        return f"the {'–'.join(name(c) for c in a.border)} border"
    return "the border"


def action_line(a: BorderAction, facts: Facts) -> str:
    """ "Turkey opened its border with Greece to refugees"; "Calls for Chad to reopen ..."."""
    place = _place(a, facts)
    whom = _FOR.get(a.for_)
    if a.action == "push_back":
        rest = f"{whom or 'people'} at {place}"
    elif a.action == "let_through":
        rest = f"{whom or 'people'} through {place}"
    elif a.action == "stop_guarding":
        rest = f"holding back {whom} at {place}" if whom else f"guarding {place}"
    elif a.action == "resume_guarding":
        rest = f"guarding {place}"
    else:
        rest = place + (f" to {whom}" if whom else "")
    base, past, gerund = _VERBS.get(a.action, (a.action, a.action, a.action))
    actor = name(a.actor) if a.actor else "authorities"
    line = {
        "planned": f"{actor} plans to {base} {rest}",
        "threatened": f"{actor} threatened to {base} {rest}",
        "demanded": f"calls for {actor} to {base} {rest}",
        "denied": f"{actor} denied {gerund} {rest}",
        "historical": f"{actor} {past} {rest} (in the past)",
    }.get(a.status, f"{actor} {past} {rest}")
    return _sentence_case(line)


def _action_score(a: BorderAction) -> tuple[int, ...]:
    known = [a.actor is not None, a.for_ != "unknown", bool(a.crossing), len(a.border) > 1]
    return (a.status == "done", sum(known), a.headline)


def troop_line(c: Casualty) -> str:
    """ "2 Pakistani soldiers killed", "at least 33 Turkish soldiers killed by Syrian forces"."""
    one, many = _TROOPS[c.who or "soldier"]
    noun = _of(c.nationality, one if c.count == 1 else many)
    amount = f"{'at least ' if c.lower_bound else ''}{c.count} " if c.count is not None else ""
    by = f" by {cut_words(c.by_text, MAX_BY_TEXT)}" if c.by_text else ""
    past = " (in the past)" if c.status == "historical" else ""
    return _sentence_case(f"{amount}{noun} {c.outcome}{by}{past}")


def cut_words(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _troops(facts: Facts) -> str | None:
    """One line per side: the best record of each nationality (done, counted, killed first)."""
    forces = [c for c in facts.casualties if c.who in FORCES]
    best = []
    for side in dict.fromkeys(c.nationality for c in forces):
        mine = [c for c in forces if c.nationality == side]
        chosen = _best(mine, lambda c: (c.status == "done", c.count is not None,
                                        c.outcome == "killed"))  # fmt: skip
        if chosen is not None:
            best.append(chosen)
    done = [c for c in best if c.status == "done"] or best
    return "; ".join(troop_line(c) for c in done[:MAX_TROOP_GROUPS]) or None


def frame_line(alert: Alert) -> str | None:
    """The alert's event as one line, from the frame that decides its category: who fired at
    whom for a shooting, which state did what to which border for an opening or closure, which
    forces were hit for troop casualties. None when no such frame was read (a phrase rule)."""
    facts = alert.facts
    if alert.category == "troop_casualties":
        return _troops(facts)
    shooting = _best(facts.shootings, lambda s: _shooting_score(s, facts))
    if alert.category == "border_shooting":
        return shooting_line(shooting, facts) if shooting else None
    wanted = {"border_opening": OPENING_ACTIONS, "border_closure": CLOSURE_ACTIONS}.get(
        alert.category
    )
    actions = [a for a in facts.border_actions if wanted is None or a.action in wanted]
    action = _best(actions, _action_score)
    if action is not None:
        return action_line(action, facts)
    if wanted is None and shooting is not None:  # a category without a frame of its own
        return shooting_line(shooting, facts)
    return None
