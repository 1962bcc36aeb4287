"""Event frames on our own sentences: who fired at whom, which state did what to a border,
with a status from the modality reading; folds that keep event clusters whole; confidence."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from borderwatch.core.models import Article, Facts
from borderwatch.streams.detect import Detector
from borderwatch.streams.scoring.evaluate import LabelledItem
from borderwatch.streams.scoring.folds import assign_folds, fold_report


def facts(detector: Detector, text: str, published: datetime | None = None) -> Facts:
    return detector.analyse(Article(id="fr", text=text, published=published)).facts


def has(records: list[Any], **want: Any) -> bool:
    dumped = [r.model_dump(by_alias=False) for r in records]
    return any(all(d.get(k) == v for k, v in want.items()) for d in dumped)


SHOOTINGS: list[tuple[str, dict[str, Any]]] = [
    ("Frontier guards opened fire on a group of migrants wading across the river.",
     {"by": "border_guard", "at": "migrant", "status": "done"}),
    ("A coastguard patrol fired rubber bullets at swimmers trying to reach the beach.",
     {"by": "border_guard", "at": "migrant", "weapon": "rubber"}),
    ("Two herders were shot dead by border police near the mountain pass.",
     {"by": "border_guard", "at": "civilian", "outcome": "killed", "count": 2}),
    # the victims are the forces: a troop casualty, not a border shooting
    ("Smugglers opened fire on border guards at the crossing.",
     {"by": "armed_group", "at": "border_guard"}),
    # fire between two sides of one kind
    ("Border guards of the two states fired at each other across the river.",
     {"by": "border_guard", "at": "border_guard"}),
    ("The ministry denied that its border guards had fired on the refugees.",
     {"by": "border_guard", "at": "refugee", "status": "denied"}),
    ("Border guards threatened to open fire on anyone who tried to cross.",
     {"by": "border_guard", "status": "threatened"}),
    # forces that kill people, by no other means named, shot them
    ("Soldiers kill two herders who tried to keep a mountain crossing open.",
     {"by": "soldier", "at": "civilian", "outcome": "killed", "count": 2}),
    ("A frontier patrol killed four woodcutters in a gunfight near the river.",
     {"by": "border_guard", "outcome": "killed"}),
    # the shooters of "X and Y forces" are the forces
    ("Uzbek and Kazakh security forces fired at each other across the frontier.",
     {"by": "security_personnel", "at": "security_personnel"}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "want"), SHOOTINGS, ids=[t[:40] for t, _ in SHOOTINGS])
def test_shooting_frames(detector: Detector, text: str, want: dict[str, Any]) -> None:
    found = facts(detector, text).shootings
    assert has(found, **want), [s.model_dump(exclude={"sentence"}) for s in found]


ACTIONS: list[tuple[str, dict[str, Any]]] = [
    ("Jordan reopened the northern crossing on Monday for families escaping the shelling.",
     {"actor": "JOR", "action": "reopen", "for_": "people", "status": "done"}),
    ("Spain will reopen its land borders to foreign visitors in July.",
     {"action": "reopen", "for_": "tourists", "status": "planned"}),
    ("The crossing was reopened for fuel lorries only on Tuesday.",
     {"action": "reopen", "for_": "trade"}),
    ("Aid agencies urged the government to open the frontier to people fleeing the war.",
     {"action": "open", "status": "demanded"}),
    ("The president threatened to open the border gates to refugees unless aid arrived.",
     {"action": "open", "for_": "refugees", "status": "threatened"}),
    ("Guards drove back hundreds of migrants who tried to climb the border fence.",
     {"action": "push_back", "for_": "migrants", "status": "done"}),
    ("Niger sealed its southern frontier with Nigeria on Wednesday.",
     {"actor": "NER", "action": "seal", "status": "done"}),
    ("Officials said police would no longer stop migrants heading for the frontier.",
     {"action": "stop_guarding", "for_": "migrants"}),
    # refusing to let people in is a closure told as one
    ("The border post had refused to let the stranded families in for a week.",
     {"action": "push_back"}),
    # people let in after the particle, or described by a participle
    ("Ghana lets in some 3,000 refugees stranded at the Togo border.",
     {"actor": "GHA", "action": "let_through", "for_": "refugees", "status": "done"}),
    ("First 40 asylum seekers admitted at the Nogales crossing",
     {"action": "let_through", "for_": "refugees", "crossing": "nogales"}),
    # entry into a country is a border
    ("The officers were permitted onto Armenian soil overnight.", {"action": "let_through"}),
    ("Hundreds of Sudanese crossed into Chad at dawn. They were let in without papers.",
     {"action": "let_through", "for_": "people"}),
    ("Several crossings, the two largest among them, were shut while the shelling lasted.",
     {"action": "close", "status": "done"}),
    ("Guards tried to force them back across into the neighbouring country.",
     {"action": "push_back"}),
    # background and policy records are not news
    ("The scheme saw 40,000 asylum seekers refused entry at the border over two years.",
     {"action": "push_back", "status": "historical"}),
    ("Soldiers shot two men who had tried to stop them from closing the crossing.",
     {"action": "close", "status": "done"}),
    # "still" on a present verb past the headline: a standing practice, not today's act
    ("Crossings stay tight.\n\nThe country has mostly sealed its frontier, although it still "
     "lets in families whose lives are at risk.", {"action": "let_through", "status": "historical"}),
    ("Hungary still lets in refugees stranded at the border", {"action": "let_through", "status": "done"}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "want"), ACTIONS, ids=[t[:40] for t, _ in ACTIONS])
def test_border_action_frames(detector: Detector, text: str, want: dict[str, Any]) -> None:
    found = facts(detector, text).border_actions
    assert has(found, **want), [a.model_dump(exclude={"sentence"}) for a in found]


def test_a_month_long_past_is_history_when_the_report_is_dated(detector: Detector) -> None:
    text = "The valley crossing was shut in January. Traders now wait for news."
    dated = facts(detector, text, datetime(2021, 6, 1, tzinfo=UTC)).border_actions
    assert has(dated, action="close", status="historical")
    assert has(facts(detector, text).border_actions, action="close", status="done")


def test_a_purpose_is_no_frame(detector: Detector) -> None:
    for text in (
        "The navy has stepped up efforts to stop boats of migrants reaching the coast.",
        "Police aimed water cannon at the crowd to keep them out of the port.",
    ):
        assert not [a for a in facts(detector, text).border_actions if a.status == "done"], text


def test_outcome_is_read_from_the_shooting_s_own_clause(detector: Detector) -> None:
    text = (
        "A witness told reporters that two of the traffickers shot at the guards, and that a driver"
        " was hurt in the exchange of fire."
    )
    shots = facts(detector, text).shootings
    assert shots and all(s.outcome == "shot_at" for s in shots if s.at == "border_guard")


def test_policy_words_without_a_border_are_no_frame(detector: Detector) -> None:
    text = "Few rich countries take in many asylum seekers, the report found."
    assert facts(detector, text).border_actions == []


def test_anniversary_pieces_tell_history(detector: Detector) -> None:
    text = "Town marks 30 years since the border opened\n\nIn 1991 guards opened the gates."
    assert all(a.status == "historical" for a in facts(detector, text).border_actions)


def test_an_unreadable_text_has_no_frames(detector: Detector) -> None:
    got = facts(detector, "fire fire open close border ;;; \x00 ??")
    assert got.shootings == [] or all(s.by == "unknown" for s in got.shootings)


def test_alerts_carry_confidence_and_band(detector: Detector) -> None:
    text = (
        "Guards shoot two migrants dead at the frontier\n\n"
        "Border guards opened fire on a group of migrants at the frontier on Sunday, killing two."
    )
    alerts = detector.alerts(Article(id="c", text=text))
    shooting = next(a for a in alerts if a.category == "border_shooting")
    assert shooting.band == "confirmed"
    assert shooting.confidence is not None and shooting.confidence >= 0.75


def test_an_event_told_only_as_background_is_unconfirmed() -> None:
    from borderwatch.core.models import BorderAction
    from borderwatch.streams.confidence import confidence

    article = Article(id="b", title="Trade picks up", text="The crossing, shut in 2019, is busy.")
    old = BorderAction(action="close", status="historical", headline=True)
    news = BorderAction(action="close", status="done", headline=True, actor="KAZ", border=["KAZ"])
    weak = confidence("border_closure", article, Facts(border_actions=[old]), "shut", ["frame"], 1)
    strong = confidence(
        "border_closure", article, Facts(border_actions=[news, news]), "shut", ["frame"], 1
    )
    assert weak.band == "unconfirmed" and "no frame tells it as news" in weak.reasons
    assert strong.band == "confirmed"
    planned = BorderAction(action="close", status="planned", headline=True)
    assert (
        confidence(
            "border_closure", article, Facts(border_actions=[planned]), "shut", ["frame"], 1
        ).value
        < strong.value
    )


def _item(i: str, cluster: str | None, labels: set[str]) -> LabelledItem:
    facts = {"event_cluster": cluster} if cluster else {}
    return LabelledItem(id=i, title="", text="", labels=labels, gold_facts=facts)


def test_folds_keep_clusters_whole_and_are_stable() -> None:
    items = [_item(f"a{i}", "big", {"border_closure"}) for i in range(4)]
    items += [_item(f"b{i}", None, set()) for i in range(6)]
    folds = assign_folds(items, 3)
    assert sorted(len(f) for f in folds) == [3, 3, 4]
    assert sum(any(i.cluster == "big" for i in f) for f in folds) == 1
    assert [[i.id for i in f] for f in folds] == [[i.id for i in f] for f in assign_folds(items, 3)]
    report = fold_report(items, {"a0": ["border_closure"]}, ["border_closure"], 3)
    assert report.mean_f1("border_closure") == pytest.approx(0.4)
    with pytest.raises(ValueError):
        assign_folds(items[:2], 3)
