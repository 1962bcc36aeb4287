"""Map links: an alert at a known crossing links to OpenStreetMap at its coordinates, in
Slack and in the HTML report, and the report lists its places; no coordinates, no link."""

from __future__ import annotations

import json
import re

from borderwatch.cli.report import html_report
from borderwatch.core.models import Alert, Border, Facts
from borderwatch.notifiers.sinks.maps import osm_url, place_of
from borderwatch.notifiers.sinks.slack.blocks import blocks
from tests.support.factories import make_alert

PAZARKULE = Border(countries=["TUR", "GRC"], crossing="pazarkule", name="Pazarkule–Kastanies",
                   region="edirne", lat=41.66, lon=26.47)  # fmt: skip
OSM = "https://www.openstreetmap.org/?mlat=41.6600&mlon=26.4700#map=10/41.6600/26.4700"


def at_crossing(alert_id: str = "m1", border: Border | None = PAZARKULE) -> Alert:
    base = make_alert()
    facts = Facts(countries=["TUR", "GRC"], crossings=["pazarkule"], border=border)
    return base.model_copy(update={"alert_id": alert_id, "facts": facts})


def test_the_url_puts_a_marker_at_the_point() -> None:
    assert osm_url(41.66, 26.47) == OSM
    place = place_of(PAZARKULE)
    assert place is not None and place.key == "pazarkule" and place.url == OSM


def test_slack_where_links_to_the_map() -> None:
    text = json.dumps(blocks(at_crossing()), ensure_ascii=False)
    assert f"<{OSM}|map>" in text


def test_no_coordinates_no_link() -> None:
    pair_only = at_crossing(border=Border(countries=["TUR", "GRC"], region="edirne"))
    assert "openstreetmap" not in json.dumps(blocks(pair_only))
    assert "openstreetmap" not in json.dumps(blocks(make_alert()))
    assert place_of(None) is None


def test_report_lists_the_places_with_coordinates_and_links_each_alert() -> None:
    alerts = [at_crossing("m1"), at_crossing("m2"), make_alert()]
    page = html_report("t", alerts)
    places = page[page.index("<h2>Places") : page.index("<h2>Alerts (")]
    assert "Places (1)" in places and "Pazarkule–Kastanies" in places
    assert "41.6600" in places and "26.4700" in places
    assert re.search(r'<td class="n">2</td>', places)  # two alerts there
    link = OSM.replace("&", "&amp;")
    assert places.count(f'href="{link}"') == 1
    rows = page[page.index("<h2>Alerts (") :]
    assert rows.count(f'href="{link}"') == 2  # the two alerts at the crossing, not the third
