"""An alert's event frame as one plain English line, and its band with the confidence, as every
sink shows them; built from Facts as the frame reader writes them, no parse needed."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from borderwatch.core.models import Alert, Border, BorderAction, Casualty, Facts, Shooting
from borderwatch.notifiers.sinks.console import ConsoleNotifier
from borderwatch.notifiers.sinks.countries import adjective, name
from borderwatch.notifiers.sinks.slack.blocks import blocks, fallback_text, reply_blocks
from borderwatch.notifiers.sinks.text import confidence_label, frame_line
from tests.support.factories import make_alert

GREEK_GUARDS = "Greek border guards fired rubber bullets at migrants, wounding one man."


def alert_with(category: str, facts: Facts, confidence: float | None = 0.62,
               band: str | None = "likely") -> Alert:  # fmt: skip
    return make_alert().model_copy(
        update={"category": category, "facts": facts, "confidence": confidence, "band": band}
    )


def test_a_shooting_reads_as_who_fired_what_at_whom_and_the_toll() -> None:
    # as read: the frame has no count, the casualty record of its sentence has one
    facts = Facts(
        countries=["GRC"],
        casualties=[Casualty(count=1, who="civilian", outcome="wounded", sentence=GREEK_GUARDS)],
        shootings=[Shooting(by="border_guard", by_country="GRC", at="migrant", weapon="rubber",
                            outcome="wounded", where=["GRC"], sentence=GREEK_GUARDS)],
    )  # fmt: skip
    line = frame_line(alert_with("border_shooting", facts))
    assert line == "Greek guards fired rubber bullets at migrants, 1 wounded"


@pytest.mark.parametrize(
    ("shooting", "line"),
    [(Shooting(by="border_guard", by_country="IRN", at="migrant", at_country="AFG",
               outcome="killed", count=3), "Iranian guards opened fire on Afghan migrants, 3 killed"),
     (Shooting(by="border_guard", at="refugee", weapon="live"),
      "Border guards fired live rounds at refugees"),
     (Shooting(by="soldier", by_country="TUR", at="child", outcome="killed"),
      "Turkish soldiers opened fire on children, deaths reported"),
     (Shooting(at="migrant", outcome="killed", count=2), "Shots fired at migrants, 2 killed"),
     (Shooting(weapon="tear_gas", at="people"), "Tear gas fired at people"),
     (Shooting(by="police", by_country="SWZ", at="smuggler"),
      "Eswatini police opened fire on smugglers"),
     (Shooting(by="border_guard", at="refugee", status="denied"),
      "Border guards opened fire on refugees (denied)")],
)  # fmt: skip
def test_shooting_lines(shooting: Shooting, line: str) -> None:
    assert frame_line(alert_with("border_shooting", Facts(shootings=[shooting]))) == line


def test_the_most_complete_done_frame_is_the_one_shown() -> None:
    headline_only = Shooting(by="border_guard", at="migrant", headline=True)
    denied = Shooting(by="border_guard", by_country="GRC", at="migrant", weapon="rubber",
                      outcome="wounded", count=4, status="denied")  # fmt: skip
    full = Shooting(by="border_guard", by_country="GRC", at="migrant", outcome="killed", count=2)
    facts = Facts(shootings=[headline_only, denied, full])
    line = frame_line(alert_with("border_shooting", facts))
    assert line == "Greek guards opened fire on migrants, 2 killed"


@pytest.mark.parametrize(
    ("category", "action", "line"),
    [("border_opening", BorderAction(actor="TUR", action="open", for_="refugees",
                                     border=["TUR", "GRC"]),
      "Turkey opened its border with Greece to refugees"),
     ("border_closure", BorderAction(actor="TCD", action="seal", border=["TCD", "SDN"]),
      "Chad sealed its border with Sudan"),
     ("border_closure", BorderAction(actor="POL", action="push_back", for_="migrants",
                                     border=["POL", "BLR"]),
      "Poland pushed back migrants at its border with Belarus"),
     ("border_opening", BorderAction(actor="EGY", action="reopen", for_="aid",
                                     crossing="rafah", status="planned"),
      "Egypt plans to reopen the Rafah crossing to aid"),
     ("border_opening", BorderAction(actor="TUR", action="stop_guarding", for_="refugees",
                                     border=["TUR", "GRC"]),
      "Turkey stopped holding back refugees at its border with Greece"),
     ("border_opening", BorderAction(actor="HUN", action="let_through", border=["HUN"]),
      "Hungary let people through its border"),
     ("border_closure", BorderAction(action="close", for_="trade", border=["KGZ", "UZB"]),
      "Authorities closed the Kyrgyzstan–Uzbekistan border to trade"),
     ("border_opening", BorderAction(actor="PAK", action="reopen", border=["PAK", "AFG"],
                                     status="demanded"),
      "Calls for Pakistan to reopen its border with Afghanistan"),
     ("border_closure", BorderAction(actor="RUS", action="close", border=["RUS", "FIN"],
                                     status="denied"),
      "Russia denied closing its border with Finland")],
)  # fmt: skip
def test_border_action_lines(category: str, action: BorderAction, line: str) -> None:
    assert frame_line(alert_with(category, Facts(border_actions=[action]))) == line


def test_a_crossing_takes_the_name_the_alert_places_it_at() -> None:
    facts = Facts(
        border=Border(countries=["TUR", "GRC"], crossing="pazarkule", name="Pazarkule–Kastanies"),
        border_actions=[BorderAction(actor="GRC", action="close", crossing="pazarkule")],
    )
    line = frame_line(alert_with("border_closure", facts))
    assert line == "Greece closed the Pazarkule–Kastanies crossing"


def test_an_opening_never_shows_a_closing_frame() -> None:
    facts = Facts(border_actions=[BorderAction(actor="GRC", action="close", border=["GRC"])])
    assert frame_line(alert_with("border_opening", facts)) is None
    assert frame_line(alert_with("border_closure", facts)) == "Greece closed its border"


def test_troop_casualties_name_the_forces_per_side() -> None:
    facts = Facts(
        casualties=[Casualty(count=2, who="soldier", outcome="killed", nationality="PAK")]
    )
    assert frame_line(alert_with("troop_casualties", facts)) == "2 Pakistani soldiers killed"
    clash = Facts(
        casualties=[
            Casualty(count=4, who="soldier", outcome="killed", nationality="IND"),
            Casualty(who="soldier", outcome="wounded", nationality="IND"),
            Casualty(count=3, who="soldier", outcome="killed", nationality="PAK"),
            Casualty(count=9, who="migrant", outcome="killed"),  # not forces
        ]
    )
    line = frame_line(alert_with("troop_casualties", clash))
    assert line == "4 Indian soldiers killed; 3 Pakistani soldiers killed"
    one = Facts(casualties=[Casualty(count=1, who="border_guard", outcome="killed",
                                     lower_bound=False, by_text="smugglers")])  # fmt: skip
    assert frame_line(alert_with("troop_casualties", one)) == "1 border guard killed by smugglers"
    toll = Facts(casualties=[Casualty(count=33, lower_bound=True, who="soldier", outcome="killed",
                                      nationality="TUR")])  # fmt: skip
    line = frame_line(alert_with("troop_casualties", toll))
    assert line == "At least 33 Turkish soldiers killed"


def test_no_frame_no_line() -> None:
    assert frame_line(alert_with("border_shooting", Facts())) is None
    civilians = Facts(casualties=[Casualty(count=2, who="migrant", outcome="killed")])
    assert frame_line(alert_with("troop_casualties", civilians)) is None


def test_country_words() -> None:
    assert (name("TUR"), adjective("TUR")) == ("Turkey", "Turkish")
    assert (name("NLD"), adjective("NLD")) == ("the Netherlands", "Dutch")
    assert name("BRN") == "Brunei Darussalam" and name("FSM") == "Micronesia"  # pycountry
    assert name("ZZZ") == "ZZZ" and adjective("ZZZ") == "ZZZ"


def test_the_band_with_its_confidence() -> None:
    assert confidence_label(alert_with("border_shooting", Facts())) == "likely (0.62)"
    assert confidence_label(alert_with("border_shooting", Facts(), 0.9, None)) == "0.90"
    assert confidence_label(alert_with("border_shooting", Facts(), None, None)) is None


SHOT = Facts(
    countries=["GRC", "TUR"],
    shootings=[Shooting(by="border_guard", by_country="GRC", at="migrant", weapon="rubber",
                        outcome="wounded", count=1)],
)  # fmt: skip


def test_slack_shows_the_line_and_the_band_in_message_reply_and_fallback() -> None:
    alert = alert_with("border_shooting", SHOT)
    line = "Greek guards fired rubber bullets at migrants, 1 wounded"
    shown = json.dumps(blocks(alert))
    assert f"*What:* {line}" in shown and "*Confidence:* likely (0.62)" in shown
    reply = json.dumps(reply_blocks(alert))
    assert f"*What:* {line}" in reply and "*Confidence:* likely (0.62)" in reply
    text = fallback_text(alert)
    assert text.startswith(f"[CRITICAL] border shooting · likely (0.62): {line} · ")
    bare = alert_with("border_shooting", Facts(), None, None)  # an alert from before frames
    assert "What:" not in json.dumps(blocks(bare)) and "Confidence" not in json.dumps(blocks(bare))


HOSTILE = "<!channel> [red]x[/red] <https://evil.example|click> & co"


def _hostile() -> Alert:
    facts = Facts(casualties=[Casualty(count=2, who="soldier", outcome="killed",
                                       nationality="PAK", by_text=HOSTILE)])  # fmt: skip
    return alert_with("troop_casualties", facts)


def test_article_words_in_the_line_are_escaped_on_slack() -> None:
    alert = _hostile()
    line = frame_line(alert)
    assert line is not None and "<!channel>" in line  # plain text: the renderers escape
    rendered = json.dumps(blocks(alert)) + json.dumps(reply_blocks(alert)) + fallback_text(alert)
    assert "<!channel>" not in rendered and "<https://evil" not in rendered
    assert "&lt;!channel&gt;" in rendered


def test_the_console_prints_the_line_and_band_and_no_markup_from_articles() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=300, color_system=None)
    ConsoleNotifier(console).send(_hostile())
    printed = buffer.getvalue()
    assert "what: 2 Pakistani soldiers killed by <!channel> [red]x[/red]" in printed
    assert "confidence: likely (0.62)" in printed
