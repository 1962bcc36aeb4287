"""Where an alert is, as a link to OpenStreetMap: one click from a Slack message or a report
to the map, at the coordinates the gazetteer gave the crossing.

Only the border's own coordinates are used (``Facts.border.lat/lon``, from the gazetteer);
a place named without coordinates gets no link rather than a guess from a search by name.
The URL is built from two floats, so no article text can reach it.
"""

from __future__ import annotations

from dataclasses import dataclass

from borderwatch.core.models import Border, Facts

ZOOM = 10  # a crossing and the towns either side of it


def osm_url(lat: float, lon: float, zoom: int = ZOOM) -> str:
    """A marker at the point, the map centred on it."""
    return (
        f"https://www.openstreetmap.org/?mlat={lat:.4f}&mlon={lon:.4f}"
        f"#map={zoom}/{lat:.4f}/{lon:.4f}"
    )


@dataclass(frozen=True)
class Place:
    """A located place of an alert: what the report's place list and a map link show."""

    key: str  # the gazetteer id (crossing, else region), else the country pair
    name: str
    countries: tuple[str, ...]
    lat: float
    lon: float

    @property
    def url(self) -> str:
        return osm_url(self.lat, self.lon)


def place_of(border: Border | None) -> Place | None:
    """The border's place when it has coordinates (a known crossing, or a region that has
    them), else None."""
    if border is None or border.lat is None or border.lon is None:
        return None
    key = border.crossing or border.region or "-".join(border.countries) or "place"
    name = border.name or (border.region or key).replace("_", " ").title()
    return Place(key, name, tuple(border.countries), border.lat, border.lon)


def map_url(facts: Facts) -> str | None:
    place = place_of(facts.border)
    return place.url if place is not None else None
