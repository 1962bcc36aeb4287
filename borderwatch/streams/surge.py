"""Surges: a place reported far above its own usual rate, whether or not any rule matched.

Everything here is a pure function of (place, time bucket) counts, so the faust agent
(``streams/worker/surges.py``), the tests and the bench drive the same code. Time is the
article's own (published, else fetched), never the clock: a replay of an archive computes the
same surges as the live run did.

The statistic: for a window of ``window_s`` (hopping by ``hop_s``), the weighted number of
reports ``k`` (1 for a place in the headline or lead, ``background_weight`` elsewhere) is
tested against the place's baseline rate ``lam``, the mean per window over the place's
history before the window (at most ``baseline_days``, from its first report), never below
``floor``. The window surges when the Poisson upper tail ``P(X >= k | lam) <= p_max``, ``k``
reaches ``min_reports`` and at least ``min_sources`` distinct sources wrote. Hysteresis: a
surging place is not alerted again until a report after its surging windows arrives whose
windows all have ``P >= calm_p`` (it calmed); until then only an update, when the count
reaches ``update_factor`` times the count last alerted. A late report that lands in the
surge's own time never starts a new one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import ahocorasick

from borderwatch.core.models import (
    Alert,
    Article,
    ArticleRef,
    Border,
    Evidence,
    Facts,
    Severity,
    SurgeFacts,
    stable_id,
)
from borderwatch.streams.reading.gazetteer import Gazetteer

SURGE = "surge"
TOP_HEADLINES = 3
# Buckets this much older than the newest report keep only their count (no ids, sources or
# headlines): the baseline needs counts, and a redelivery after a restart is recent.
DETAIL_KEEP_S = 86400.0


@dataclass(frozen=True)
class SurgeConfig:
    window_s: float = 3600.0
    hop_s: float = 900.0
    baseline_days: float = 7.0
    floor: float = 0.5
    p_max: float = 1e-4
    calm_p: float = 0.05
    min_reports: float = 5.0
    min_sources: int = 3
    background_weight: float = 0.5
    update_factor: float = 2.0
    warmup_s: float = 6 * 3600.0
    lead_chars: int = 600

    @classmethod
    def from_settings(cls, settings: Any) -> SurgeConfig:
        return cls(
            window_s=settings.surge_window_s,
            hop_s=settings.surge_hop_s,
            baseline_days=settings.surge_baseline_days,
            floor=settings.surge_floor,
            p_max=settings.surge_p,
            calm_p=settings.surge_calm_p,
            min_reports=settings.surge_min_reports,
            min_sources=settings.surge_min_sources,
            background_weight=settings.surge_background_weight,
            update_factor=settings.surge_update_factor,
            warmup_s=settings.surge_warmup_s,
        )

    @property
    def hops(self) -> int:
        """Windows per bucket: a window is ``hops`` buckets of ``hop_s``."""
        return max(1, round(self.window_s / self.hop_s))


# -- places an article names -------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    key: str  # "crossing:kapikule", "region:evros", "pair:GRC-TUR"
    name: str
    countries: tuple[str, ...]
    crossing: str | None = None
    region: str | None = None
    lat: float | None = None
    lon: float | None = None


class PlaceScanner:
    """The gazetteer's crossings and regions as one Aho-Corasick automaton over the lower-cased
    text: about as cheap as the prefilter, so it runs on every article, also the ones no rule
    could match (they never reach spaCy). A crossing also counts for its country pair."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.automaton = ahocorasick.Automaton()
        names: dict[str, list[Place]] = {}
        for c in gazetteer.crossings.values():
            place = Place(f"crossing:{c.id}", c.name, tuple(c.countries), crossing=c.id,
                          lat=c.lat, lon=c.lon)  # fmt: skip
            for name in c.names:
                names.setdefault(name.lower(), []).append(place)
        for r in gazetteer.regions.values():
            place = Place(f"region:{r.id}", r.name, (r.country,), region=r.id)
            for name in r.names:
                names.setdefault(name.lower(), []).append(place)
        for name, places in names.items():
            self.automaton.add_word(name, (len(name), tuple(places)))
        self.empty = not names
        if not self.empty:
            self.automaton.make_automaton()

    def places(self, article: Article, lead_chars: int = 600) -> dict[Place, bool]:
        """Each place the article names, True when in the headline or lead."""
        if self.empty:
            return {}
        found: dict[Place, bool] = {}
        # one pass over the text: a hit is in the lead when it ends within ``lead_chars``
        for limit, haystack in ((None, article.title.lower()), (lead_chars, article.text.lower())):
            for end, (length, places) in self.automaton.iter(haystack):
                start = end - length + 1
                if (start > 0 and haystack[start - 1].isalnum()) or (
                    end + 1 < len(haystack) and haystack[end + 1].isalnum()
                ):
                    continue
                lead = limit is None or end < limit
                for place in places:
                    found[place] = found.get(place, False) or lead
                    if place.crossing:
                        pair = pair_place(place.countries)
                        found[pair] = found.get(pair, False) or lead
        return found


def pair_place(countries: Iterable[str]) -> Place:
    codes = tuple(sorted(set(countries)))
    return Place(f"pair:{'-'.join(codes)}", "–".join(codes), codes)


@dataclass(frozen=True)
class Mention:
    """One article naming one place: what the surge agent counts (keyed by place)."""

    place: str
    name: str
    countries: tuple[str, ...]
    article_id: str
    source: str
    title: str
    at: float
    weight: float
    url: str | None = None
    crossing: str | None = None
    region: str | None = None
    lat: float | None = None
    lon: float | None = None
    run_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "countries": list(self.countries)}  # asdict is 10x slower

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Mention:
        return cls(**{**data, "countries": tuple(data["countries"])})


def source_of(article: Article) -> str:
    """Distinct sources: the declared source, else the URL's host."""
    if article.source:
        return article.source
    if article.url:
        host = urlsplit(article.url).hostname
        if host:
            return host.removeprefix("www.")
    return "unknown"


def article_time(article: Article) -> float:
    return (article.published or article.fetched).timestamp()


def mentions(article: Article, scanner: PlaceScanner, config: SurgeConfig) -> list[Mention]:
    found = scanner.places(article, config.lead_chars)
    at = article_time(article)
    source = source_of(article)
    title = article.title or article.text[:120]
    return [
        Mention(
            place=p.key,
            name=p.name,
            countries=p.countries,
            article_id=article.id,
            source=source,
            title=title,
            at=at,
            url=article.url,
            weight=1.0 if lead else config.background_weight,
            crossing=p.crossing,
            region=p.region,
            lat=p.lat,
            lon=p.lon,
            run_id=article.run_id,
        )
        for p, lead in found.items()
    ]


# -- the statistic -------------------------------------------------------------------------


def poisson_sf(k: int, lam: float) -> float:
    """P(X >= k) for X ~ Poisson(lam), summed from k upwards (exact for the small tails that
    matter here, no cancellation)."""
    if k <= 0:
        return 1.0
    if lam <= 0:
        return 0.0
    if k <= lam:  # the tail is at least about a half: the complement is accurate enough
        cdf = sum(math.exp(-lam + i * math.log(lam) - math.lgamma(i + 1)) for i in range(k))
        return max(0.0, min(1.0, 1.0 - cdf))
    total = 0.0
    i = k
    while True:
        term = math.exp(-lam + i * math.log(lam) - math.lgamma(i + 1))
        total += term
        if term < total * 1e-15 or i > k + 10_000:
            return min(1.0, total)
        i += 1


def bucket_of(at: float, hop_s: float) -> float:
    return math.floor(at / hop_s) * hop_s


def window_starts(at: float, config: SurgeConfig) -> list[float]:
    """The hopping windows that contain ``at``, oldest first (one when tumbling)."""
    b = bucket_of(at, config.hop_s)
    return [b - k * config.hop_s for k in range(config.hops - 1, -1, -1)]


# -- per-place state -----------------------------------------------------------------------


@dataclass
class Bucket:
    weight: float = 0.0
    ids: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    # [weight, at, title, article id, url, source], the best first
    top: list[list[Any]] = field(default_factory=list)
    detail: bool = True

    def to_dict(self) -> dict[str, Any]:
        if not self.detail:
            return {"weight": self.weight, "detail": False}
        return {"weight": self.weight, "ids": self.ids, "sources": self.sources, "top": self.top}


@dataclass
class Episode:
    start: float  # the first surging window's start: the surge's identity
    alerted: float  # the weighted count last alerted
    step: int = 0
    until: float = 0.0  # the end of the latest surging window
    open: bool = True  # False once it calmed; kept so late reports of it stay in it


@dataclass
class PlaceState:
    """What the table keeps per place, as JSON (``to_dict``/``from_dict``)."""

    first: float | None = None
    newest: float | None = None
    buckets: dict[float, Bucket] = field(default_factory=dict)
    episode: Episode | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "first": self.first,
            "newest": self.newest,
            "buckets": {repr(k): v.to_dict() for k, v in self.buckets.items()},
            "episode": asdict(self.episode) if self.episode else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> PlaceState:
        if not data:
            return cls()
        return cls(
            first=data["first"],
            newest=data["newest"],
            buckets={float(k): Bucket(**v) for k, v in data["buckets"].items()},
            episode=Episode(**data["episode"]) if data["episode"] else None,
        )


@dataclass(frozen=True)
class WindowStats:
    start: float
    end: float
    weight: float
    reports: int
    sources: int
    baseline: float
    p: float
    top: list[list[Any]]

    def surging(self, config: SurgeConfig) -> bool:
        return (
            self.weight + 1e-9 >= config.min_reports
            and self.sources >= config.min_sources
            and self.p <= config.p_max
        )


def baseline(
    state: PlaceState, start: float, config: SurgeConfig, stream_first: float
) -> float | None:
    """Mean weighted reports per window before ``start``, over the history the counter has
    seen (from the stream's first report, at most ``baseline_days``; a place never named in it
    has 0). None while that history is shorter than ``warmup_s``: a busy place at the start
    of a stream is not a surge, it is only new to the counter."""
    horizon = config.baseline_days * 86400.0
    since = max(start - horizon, stream_first)
    span = start - since
    if span < max(config.warmup_s, config.window_s):
        return None
    total = sum(b.weight for t, b in state.buckets.items() if since <= t < start)
    return total / (span / config.window_s)


def window_stats(
    state: PlaceState, start: float, config: SurgeConfig, stream_first: float
) -> WindowStats:
    end = start + config.window_s
    inside = [b for t, b in state.buckets.items() if start <= t < end]
    weight = sum(b.weight for b in inside)
    ids = {i for b in inside for i in b.ids}
    sources = {s for b in inside for s in b.sources}
    top = sorted((t for b in inside for t in b.top), key=lambda t: (-t[0], t[1], t[3]))
    lam = baseline(state, start, config, stream_first)
    # tested against at least the floor: a place that is usually silent needs a few reports
    p = 1.0 if lam is None else poisson_sf(math.floor(weight + 1e-9), max(lam, config.floor))
    return WindowStats(start, end, weight, len(ids), len(sources), lam or 0.0, p,
                       top[:TOP_HEADLINES])  # fmt: skip


@dataclass(frozen=True)
class SurgeEvent:
    mention: Mention
    window: WindowStats
    episode_start: float
    step: int


def observe(
    state: PlaceState, mention: Mention, config: SurgeConfig, stream_first: float | None = None
) -> list[SurgeEvent]:
    """Count one mention into its place's state (in place); the surge alerts it raises.
    ``stream_first`` is the earliest report time the counter has seen for any place.

    Idempotent per article: a mention redelivered after a restart counts once (while its
    bucket keeps detail)."""
    b = bucket_of(mention.at, config.hop_s)
    bucket = state.buckets.get(b)
    if bucket is not None and mention.article_id in bucket.ids:
        return []
    if bucket is None:
        bucket = state.buckets[b] = Bucket()
    bucket.weight += mention.weight
    if bucket.detail:
        bucket.ids.append(mention.article_id)
        if mention.source not in bucket.sources:
            bucket.sources.append(mention.source)
        entry = [mention.weight, mention.at, mention.title, mention.article_id, mention.url,
                 mention.source]  # fmt: skip
        bucket.top = sorted([*bucket.top, entry], key=lambda t: (-t[0], t[1], t[3]))
        bucket.top = bucket.top[:TOP_HEADLINES]
    state.first = b if state.first is None else min(state.first, b)
    state.newest = mention.at if state.newest is None else max(state.newest, mention.at)
    _prune(state, config)

    first = min(stream_first, b) if stream_first is not None else b
    windows = [window_stats(state, s, config, first) for s in window_starts(mention.at, config)]
    best = min(windows, key=lambda w: (w.p, -w.weight, w.start))
    episode = state.episode
    if not best.surging(config):
        calm = all(w.p >= config.calm_p for w in windows)
        if episode is not None and episode.open and mention.at >= episode.until and calm:
            episode.open = False  # calmed: the next surge is a new one
        return []
    # Reports arrive out of order (several partitions, late feeds): a surging window that
    # overlaps the episode's time is that episode, even after it calmed.
    if episode is not None and (episode.open or best.start < episode.until):
        episode.until = max(episode.until, best.end)
        growing = config.update_factor > 1 and best.weight >= episode.alerted * config.update_factor
        if not (episode.open and growing):
            return []
        episode.step += 1
        episode.alerted = best.weight
        return [SurgeEvent(mention, best, episode.start, episode.step)]
    state.episode = Episode(start=best.start, alerted=best.weight, until=best.end)
    return [SurgeEvent(mention, best, best.start, 0)]


def _prune(state: PlaceState, config: SurgeConfig) -> None:
    assert state.newest is not None
    keep_from = state.newest - config.baseline_days * 86400.0 - config.window_s
    detail_from = state.newest - max(DETAIL_KEEP_S, 2 * config.window_s)
    for t in list(state.buckets):
        if t < keep_from:
            del state.buckets[t]
        elif t < detail_from and state.buckets[t].detail:
            state.buckets[t] = Bucket(weight=state.buckets[t].weight, detail=False)


# -- the alert -----------------------------------------------------------------------------


def _duration(seconds: float) -> str:
    if seconds == 3600:
        return "hour"
    if seconds % 3600 == 0:
        return f"{int(seconds // 3600)} hours"
    if seconds % 60 == 0:
        return f"{int(seconds // 60)} minutes"
    return f"{seconds:g} seconds"


def _rate(lam: float) -> str:
    if lam >= 1.5:
        return f"{round(lam)}"
    if lam >= 0.95:
        return "1"
    if lam < 0.05:
        return "none"
    return f"{lam:.1g}"


def statement(name: str, window: WindowStats, window_s: float) -> str:
    """ "Evros: 14 reports from 9 sources in the last hour, usually 1 per hour"."""
    per = _duration(window_s)
    reports = f"{window.reports} report{'s' if window.reports != 1 else ''}"
    sources = f"{window.sources} source{'s' if window.sources != 1 else ''}"
    usual = _rate(window.baseline)
    tail = "usually none" if usual == "none" else f"usually {usual} per {per}"
    return f"{name}: {reports} from {sources} in the last {per}, {tail}"


def surge_alert(event: SurgeEvent, config: SurgeConfig, rules_version: str = "surge-1") -> Alert:
    """A surge as an alert like any other: its own category, one group (one Slack story) per
    place, an id per place, surge and step (so a restart or replay never raises it twice)."""
    m, w = event.mention, event.window
    headlines = [
        ArticleRef(id=t[3], title=t[2], url=t[4], source=t[5], published=_dt(t[1])) for t in w.top
    ]
    lead = headlines[0] if headlines else ArticleRef(id=m.article_id, title=m.title)
    line = statement(m.name, w, config.window_s)
    titles = list(dict.fromkeys(h.title for h in headlines if h.title))
    if titles:
        line += ". Top: " + "; ".join(f"“{t}”" for t in titles)
    # a border's name is a crossing's; a region is named by its id and the facts' places
    border = Border(countries=list(m.countries), crossing=m.crossing,
                    name=m.name if m.crossing else None, region=m.region, lat=m.lat,
                    lon=m.lon)  # fmt: skip
    return Alert(
        alert_id=stable_id(SURGE, m.place, repr(event.episode_start), str(event.step)),
        group=f"{SURGE}:{m.place}",
        category=SURGE,
        rule_id=SURGE,
        rule_title="Surge in reports" if event.step == 0 else "Surge growing",
        severity=Severity.high if w.p < config.p_max / 1000 else Severity.medium,
        # the lead headline, at the time of the report that raised the surge: story windows
        # and the report's timeline put the alert when the surge happened
        article=ArticleRef(
            id=lead.id, url=lead.url, title=lead.title, source=lead.source, published=_dt(m.at)
        ),
        evidence=Evidence(sentence=line),
        facts=Facts(
            countries=list(m.countries),
            places=[m.name],
            crossings=[m.crossing] if m.crossing else [],
            regions=[m.region] if m.region else [],
            border=border,
        ),
        surge=SurgeFacts(
            place=m.place,
            name=m.name,
            window_start=_dt(w.start),
            window_end=_dt(w.end),
            reports=w.reports,
            weight=round(w.weight, 3),
            sources=w.sources,
            baseline=round(w.baseline, 3),
            p_value=w.p,
            step=event.step,
            headlines=headlines,
        ),
        rules_version=rules_version,
        run_id=m.run_id,
    )


def _dt(at: float) -> datetime:
    return datetime.fromtimestamp(at, UTC)


class SurgeBook:
    """Every place's state in a dict: what the faust table holds, for tests, bench and a
    process without a stream engine."""

    def __init__(self, config: SurgeConfig) -> None:
        self.config = config
        self.states: dict[str, PlaceState] = {}
        self.first: float | None = None

    def add(self, mention: Mention) -> list[Alert]:
        state = self.states.setdefault(mention.place, PlaceState())
        self.first = stream_first(self.first, mention, self.config)
        events = observe(state, mention, self.config, self.first)
        return [surge_alert(e, self.config) for e in events]


def stream_first(current: float | None, mention: Mention, config: SurgeConfig) -> float:
    """The earliest bucket the counter has seen, for any place."""
    b = bucket_of(mention.at, config.hop_s)
    return b if current is None else min(current, b)
