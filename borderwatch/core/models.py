"""Messages that every stage shares, and their JSON wire format.

The wire format is pydantic JSON with a ``type`` discriminator, so a topic can carry both
payloads and end-of-input markers, and a consumer rejects what it does not understand
instead of guessing.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator

SCHEMA_VERSION: Literal[1] = 1
# What an alert is about. Rules may only name these, and every report, silence and eval
# table speaks of them: the one list, here on the wire.
RULE_CATEGORIES = ("border_opening", "border_closure", "troop_casualties", "border_shooting")
# ``surge`` is raised by the surge counter (streams/surge.py), never by a rule.
CATEGORIES = (*RULE_CATEGORIES, "surge")


class Severity(StrEnum):
    info = "info"
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


def utcnow() -> datetime:
    return datetime.now(UTC)


def stable_id(*parts: str) -> str:
    """A short, deterministic id: replays and restarts must name the same thing the same way."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:20]


# C0 controls but tab and line feed (a CR can rewrite a terminal line), DEL, the C1 block.
_CONTROL = {
    c: None for c in [*range(0x00, 0x09), 0x0B, 0x0C, 0x0D, *range(0x0E, 0x20), *range(0x7F, 0xA0)]
}


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def to_bytes(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode("utf-8")


class Article(_Wire):
    """One news item as accepted from a connector; keyed by ``id`` on the ``articles`` topic."""

    type: Literal["article"] = "article"
    schema_version: Literal[1] = SCHEMA_VERSION
    id: str = Field(min_length=1, max_length=200)
    url: str | None = None
    title: str = ""
    text: str
    source: str | None = None
    language: str | None = Field(
        default=None, description="ISO 639-1 code when the source declares one ('en')."
    )
    published: datetime | None = None
    fetched: datetime = Field(default_factory=utcnow)
    run_id: str | None = Field(
        default=None, description="Set by a replay so its alerts can be told from live ones."
    )

    @field_validator("title", "text", "source")
    @classmethod
    def _printable(cls, value: str | None) -> str | None:
        """Control characters (ESC sequences, NUL, DEL, C1 codes) from a feed would reach every
        terminal, log and Slack message that shows the article: drop them once, at the door.
        Line breaks and tabs are text, and stay."""
        if value is None:
            return None
        return value.translate(_CONTROL)

    @field_validator("published", "fetched")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        if value is not None:
            try:  # "9999-12-31T23:59-01:00" is year 10000 in UTC: every comparison would fail
                value.astimezone(UTC)
            except OverflowError:
                raise ValueError("out of range once converted to UTC (years 1 to 9999)") from None
        return value

    @property
    def body(self) -> str:
        """Title and text as one document, so a rule sees the headline too."""
        if self.title and not self.text.startswith(self.title):
            return f"{self.title}\n\n{self.text}"
        return self.text

    @staticmethod
    def make_id(*, given: str | None, url: str | None, title: str, text: str) -> str:
        """Prefer the source's own id, then the URL, then the content itself."""
        if given:
            return given.strip()[:200]
        if url:
            return stable_id("url", url.strip())
        return stable_id("content", title.strip(), text.strip())


class Marker(_Wire):
    """End-of-input marker.

    The embedded broker reports wrong end offsets, so "all processed" is never derived from
    offsets: a producer sends one marker per partition after its last record, and each stage
    forwards it in order behind the records it has finished.
    """

    type: Literal["marker"] = "marker"
    run_id: str
    source_partition: int
    count: int = Field(ge=0, description="Records the producer sent to that partition.")


class ArticleRef(_Wire):
    id: str
    url: str | None = None
    title: str = ""
    source: str | None = None
    language: str | None = Field(default=None, description="ISO 639-1, declared or detected.")
    published: datetime | None = None
    fetched: datetime | None = Field(
        default=None, description="When a connector accepted the article (end-to-end latency)."
    )


class Span(_Wire):
    """Matched words within the evidence sentence (character offsets into ``sentence``)."""

    start: int
    end: int
    text: str
    label: str


class Evidence(_Wire):
    sentence: str
    spans: list[Span] = Field(default_factory=list)

    def segments(self) -> list[tuple[str, bool]]:
        """The sentence cut into (text, matched) pieces, for any renderer to mark and escape;
        overlapping or out-of-range spans are skipped."""
        out: list[tuple[str, bool]] = []
        pos = 0
        for span in sorted(self.spans, key=lambda s: s.start):
            if span.start < pos or span.end > len(self.sentence):
                continue
            out.append((self.sentence[pos : span.start], False))
            out.append((self.sentence[span.start : span.end], True))
            pos = span.end
        out.append((self.sentence[pos:], False))
        return [(text, matched) for text, matched in out if text]


# The vocabulary of casualty facts; rules test against it, so it is closed and documented.
WHO_VALUES = (
    "soldier",
    "border_guard",
    "police",
    "security_personnel",
    "civilian",
    "migrant",
    "refugee",
    "asylum_seeker",
    "child",
    "people",
)
OUTCOME_VALUES = ("killed", "wounded", "injured", "shot", "drowned", "missing")


class Casualty(_Wire):
    """People hurt in one reported event, as one group ("at least 33 Turkish soldiers")."""

    count: int | None = Field(default=None, ge=0, description="None when no number is given.")
    lower_bound: bool = Field(default=False, description="'at least 33', 'dozens', 'hundreds'")
    who: str | None = Field(default=None, description="One of WHO_VALUES.")
    outcome: str = Field(description="One of OUTCOME_VALUES.")
    nationality: str | None = Field(default=None, description="ISO alpha-3 of the victims.")
    by: str | None = Field(default=None, description="The perpetrator's kind (WHO_VALUES).")
    by_text: str | None = Field(default=None, description="The perpetrator as written.")
    status: str = Field(default="done", description="done, or historical when background.")
    sentence: str | None = None


# Event frames: who did what to whom, read from the parse (streams/reading/frames.py). The
# vocabularies are closed so rules can test them (``shootings.by in [border_guard]``).
SHOOTER_VALUES = ("border_guard", "soldier", "police", "security_personnel", "armed_group",
                  "unknown")  # fmt: skip
TARGET_VALUES = ("migrant", "refugee", "asylum_seeker", "civilian", "child", "people",
                 "smuggler", "soldier", "border_guard", "police", "security_personnel",
                 "armed_group", "unknown")  # fmt: skip
WEAPON_VALUES = ("live", "rubber", "plastic", "tear_gas", "unknown")
SHOT_OUTCOMES = ("killed", "wounded", "shot_at")
ACTION_VALUES = ("open", "reopen", "close", "seal", "push_back", "let_through",
                 "stop_guarding", "resume_guarding")  # fmt: skip
FOR_VALUES = ("refugees", "migrants", "people", "trade", "tourists", "pilgrims", "aid", "citizens",
              "everyone", "unknown")  # fmt: skip
STATUS_VALUES = ("done", "planned", "demanded", "threatened", "denied", "historical")


class Shooting(_Wire):
    """Someone fired at someone: "Greek guards fired rubber bullets at migrants, 1 wounded"."""

    by: str = Field(default="unknown", description="One of SHOOTER_VALUES.")
    by_country: str | None = Field(default=None, description="ISO alpha-3 of the shooters.")
    at: str = Field(default="unknown", description="One of TARGET_VALUES.")
    at_country: str | None = None
    weapon: str = Field(default="unknown", description="One of WEAPON_VALUES.")
    outcome: str = Field(default="shot_at", description="One of SHOT_OUTCOMES.")
    count: int | None = Field(default=None, ge=0, description="People killed or wounded.")
    where: list[str] = Field(
        default_factory=list, description="Crossing id and/or border countries (ISO alpha-3)."
    )
    status: str = Field(default="done", description="One of STATUS_VALUES.")
    headline: bool = Field(default=False, description="Read in the headline or lead.")
    sentence: str | None = None


class BorderAction(_Wire):
    """A state did something to a border: "Uganda reopened two crossings for refugees"."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, serialize_by_alias=True
    )

    actor: str | None = Field(default=None, description="ISO alpha-3 of the acting state.")
    action: str = Field(description="One of ACTION_VALUES.")
    for_: str = Field(default="unknown", alias="for", description="One of FOR_VALUES.")
    crossing: str | None = Field(default=None, description="Gazetteer id of the crossing.")
    border: list[str] = Field(default_factory=list, description="Countries of the border.")
    status: str = Field(default="done", description="One of STATUS_VALUES.")
    headline: bool = Field(default=False, description="Read in the headline or lead.")
    sentence: str | None = None


class Border(_Wire):
    """Where an event is: a known crossing, or the pair of countries named at a border."""

    countries: list[str] = Field(default_factory=list, description="ISO alpha-3, one or two")
    crossing: str | None = Field(default=None, description="Gazetteer id of the crossing.")
    name: str | None = None
    region: str | None = Field(default=None, description="Gazetteer id of the border region.")
    lat: float | None = None
    lon: float | None = None


class Facts(_Wire):
    countries: list[str] = Field(default_factory=list, description="ISO 3166 alpha-3 codes")
    places: list[str] = Field(default_factory=list)
    crossings: list[str] = Field(default_factory=list, description="Gazetteer crossing ids")
    regions: list[str] = Field(default_factory=list, description="Gazetteer region ids")
    border: Border | None = None
    casualties: list[Casualty] = Field(default_factory=list)
    shootings: list[Shooting] = Field(default_factory=list)
    border_actions: list[BorderAction] = Field(default_factory=list)


class SurgeFacts(_Wire):
    """A place reported far above its usual rate (a ``surge`` alert): the window, the count,
    the baseline it was tested against and the top headlines."""

    place: str = Field(description="crossing:<id>, region:<id> or pair:<AAA>-<BBB>")
    name: str
    window_start: datetime
    window_end: datetime
    reports: int = Field(ge=0, description="Articles in the window.")
    weight: float = Field(ge=0, description="Reports weighted (background mentions count less).")
    sources: int = Field(ge=0, description="Distinct sources in the window.")
    baseline: float = Field(ge=0, description="Usual weighted reports per window.")
    p_value: float = Field(ge=0, le=1, description="Poisson P(X >= weight | baseline).")
    step: int = Field(default=0, ge=0, description="0 for the surge, then one per update.")
    headlines: list[ArticleRef] = Field(default_factory=list)


# How sure an alert is: "confirmed" (a complete frame, early, unhedged, repeated), "likely",
# "unconfirmed" (a phrase fallback, late in the text or told once in passing).
BANDS = ("confirmed", "likely", "unconfirmed")
Band = Literal["confirmed", "likely", "unconfirmed"]


class Alert(_Wire):
    """A rule matched an article; keyed by ``group`` on the ``alerts`` topic."""

    type: Literal["alert"] = "alert"
    schema_version: Literal[1] = SCHEMA_VERSION
    alert_id: str
    group: str
    category: str
    rule_id: str
    rule_title: str
    severity: Severity
    article: ArticleRef
    evidence: Evidence
    facts: Facts
    rules_version: str
    confidence: float | None = Field(
        default=None, ge=0, le=1, description="0-1, from the evidence (None: older alerts)."
    )
    band: Band | None = Field(default=None, description="confirmed, likely or unconfirmed.")
    surge: SurgeFacts | None = Field(default=None, description="Only on ``surge`` alerts.")
    created: datetime = Field(default_factory=utcnow)
    run_id: str | None = None

    @property
    def reported_at(self) -> datetime:
        """When the report is from: its article's published time, else when it was fetched.
        Story windows and timelines use this, never the clock of whoever handles the alert
        (a replay handles a month of reports in a minute); ``created`` is the last resort."""
        return self.article.published or self.article.fetched or self.created


ArticleMessage = Annotated[Article | Marker, Field(discriminator="type")]
AlertMessage = Annotated[Alert | Marker, Field(discriminator="type")]

ARTICLE_MESSAGE: TypeAdapter[Article | Marker] = TypeAdapter(ArticleMessage)
ALERT_MESSAGE: TypeAdapter[Alert | Marker] = TypeAdapter(AlertMessage)


def parse_article_message(raw: bytes) -> Article | Marker:
    """Parse a record from ``articles``; raises ``pydantic.ValidationError`` on bad input."""
    return ARTICLE_MESSAGE.validate_json(raw)


def parse_alert_message(raw: bytes) -> Alert | Marker:
    return ALERT_MESSAGE.validate_json(raw)
