"""The surge counter's pure functions: places, windows, baseline, statistic, hysteresis."""

from __future__ import annotations

import json
import math
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from borderwatch.core.models import Alert, Article, parse_alert_message
from borderwatch.core.settings import Settings
from borderwatch.streams.detect import Detector
from borderwatch.streams.reading.gazetteer import Gazetteer
from borderwatch.streams.surge import (
    Mention,
    PlaceScanner,
    PlaceState,
    SurgeBook,
    SurgeConfig,
    baseline,
    mentions,
    observe,
    poisson_sf,
    statement,
    window_starts,
    window_stats,
)
from borderwatch.streams.worker.surges import handle
from tests.support import surgegen

ROOT = Path(__file__).resolve().parents[2]
H = 3600.0
T0 = datetime(2026, 3, 1, tzinfo=UTC).timestamp()


@pytest.fixture(scope="module")
def scanner() -> PlaceScanner:
    return PlaceScanner(Gazetteer.load(ROOT / "rules" / "gazetteers"))


def mention(i: int, at: float, source: str | None = None, weight: float = 1.0) -> Mention:
    return Mention(place="region:evros", name="Evros", countries=("GRC",), article_id=f"a{i}",
                   source=source or f"s{i}", title=f"headline {i}", at=at, weight=weight,
                   region="evros")  # fmt: skip


def run(items: list[Mention], config: SurgeConfig | None = None) -> list[Alert]:
    book = SurgeBook(config or SurgeConfig())
    return [alert for m in items for alert in book.add(m)]


def quiet_start(config: SurgeConfig | None = None) -> list[Mention]:
    """One report at the start of the stream (another place), so the counter has history."""
    other = Mention(place="region:lesbos", name="Lesbos", countries=("GRC",), article_id="q0",
                    source="q", title="q", at=T0, weight=1.0)  # fmt: skip
    return [other]


def test_poisson_tail_matches_the_definition() -> None:
    for lam in (0.1, 0.5, 1.0, 4.0, 30.0):
        for k in (0, 1, 3, 7, 20, 60):
            direct = 1 - sum(math.exp(-lam) * lam**i / math.factorial(i) for i in range(k))
            assert poisson_sf(k, lam) == pytest.approx(max(direct, 0), rel=1e-6, abs=1e-12)
    assert poisson_sf(40, 0.5) > 0  # a tiny tail is still a number, not 1 - 1
    assert poisson_sf(3, 0) == 0


def test_hopping_windows_contain_the_time() -> None:
    config = SurgeConfig(window_s=H, hop_s=900)
    starts = window_starts(T0 + 1000, config)
    assert len(starts) == 4 and all(s <= T0 + 1000 < s + H for s in starts)
    assert window_starts(T0 + 1000, SurgeConfig(window_s=H, hop_s=H)) == [T0]


def test_places_lead_and_background(scanner: PlaceScanner) -> None:
    article = Article(
        id="x",
        title="Crowds at Kapikule",
        text="Officials spoke. " * 60 + "Evros was quiet. The Kapikuleans are no place.",
    )
    found = {p.key: lead for p, lead in scanner.places(article).items()}
    assert found == {"crossing:kapikule": True, "pair:BGR-TUR": True, "region:evros": False}
    weights = {m.place: m.weight for m in mentions(article, scanner, SurgeConfig())}
    assert weights["region:evros"] == 0.5 and weights["crossing:kapikule"] == 1.0


def test_baseline_from_history_and_none_before_warmup() -> None:
    config = SurgeConfig(warmup_s=6 * H)
    state = PlaceState()
    for h in range(48):  # two a day-hour for two days
        observe(state, mention(h, T0 + h * H), config, T0)
        observe(state, mention(1000 + h, T0 + h * H + 60), config, T0)
    assert baseline(state, T0 + 48 * H, config, T0) == pytest.approx(2.0)
    assert baseline(state, T0 + 3 * H, config, T0) is None  # history shorter than the warm-up


def test_a_surge_in_a_quiet_place_alerts_once_with_the_statement() -> None:
    at = T0 + 30 * H
    alerts = run(quiet_start() + [mention(i, at + i * 60) for i in range(10)])
    assert len(alerts) == 1
    alert = alerts[0]
    assert alert.category == "surge" and alert.group == "surge:region:evros"
    assert alert.surge is not None and alert.surge.reports == 6  # 6 reports beat floor 0.5
    assert alert.evidence.sentence.startswith(
        "Evros: 6 reports from 6 sources in the last hour, usually none"
    )
    assert [h.title for h in alert.surge.headlines] == ["headline 0", "headline 1", "headline 2"]
    assert parse_alert_message(alert.to_bytes()) == alert


def test_too_few_sources_is_no_surge() -> None:
    at = T0 + 30 * H
    items = [mention(i, at + i * 60, source=f"s{i % 2}") for i in range(12)]
    assert run(quiet_start() + items) == []


def test_background_mentions_count_half() -> None:
    at = T0 + 30 * H
    items = [mention(i, at + i * 60, weight=0.5) for i in range(12)]
    assert run(quiet_start() + items[:11]) == []  # 5.5 weighted: not yet
    alerts = run(quiet_start() + items)
    assert len(alerts) == 1 and alerts[0].surge is not None
    assert (alerts[0].surge.reports, alerts[0].surge.weight) == (12, 6.0)


def test_a_busy_place_is_not_a_surge_at_its_usual_rate() -> None:
    items = [mention(h * 10 + k, T0 + h * H + k * 300, source=f"s{k}") for h in range(72)
             for k in range(10)]  # fmt: skip
    assert run(items) == []  # ten an hour, from the start: never above its own baseline


def test_hysteresis_updates_in_place_then_a_new_surge_after_calm() -> None:
    at = T0 + 30 * H
    first = [mention(i, at + i * 60) for i in range(14)]  # 6 -> alert, 12 -> update
    later = [mention(100, at + 5 * H)]  # calm
    again = [mention(200 + i, at + 20 * H + i * 60) for i in range(7)]
    alerts = run(quiet_start() + first + later + again)
    assert [(a.surge.step if a.surge else None) for a in alerts] == [0, 1, 0]
    assert len({a.group for a in alerts}) == 1  # one place, one story
    assert len({a.alert_id for a in alerts}) == 3
    no_updates = run(quiet_start() + first, SurgeConfig(update_factor=0))
    assert len(no_updates) == 1


def test_redelivery_counts_once_and_replay_is_identical() -> None:
    at = T0 + 30 * H
    items = quiet_start() + [mention(i, at + i * 60) for i in range(8)]
    twice = quiet_start() + [m for m in items[1:] for _ in (0, 1)]
    once = run(items)
    again = run(twice)
    assert [a.alert_id for a in once] == [a.alert_id for a in again]
    assert once[0].surge == again[0].surge


def test_late_articles_land_in_their_own_windows() -> None:
    at = T0 + 30 * H
    items = [mention(i, at + i * 60) for i in range(8)]
    shuffled = quiet_start() + items[::-1]
    a, b = run(quiet_start() + items), run(shuffled)
    assert len(a) == len(b) == 1
    assert a[0].alert_id == b[0].alert_id  # same surge (its start window) in any order


def test_state_survives_json() -> None:
    config = SurgeConfig()
    state = PlaceState()
    for i in range(5):
        observe(state, mention(i, T0 + i * 600), config, T0)
    again = PlaceState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert again == state
    w = window_stats(again, window_starts(T0, config)[-1], config, T0)
    assert w.reports == 5 and w.sources == 5


def test_statement_wording() -> None:
    config = SurgeConfig()
    state = PlaceState()
    for i in range(3):
        observe(state, mention(i, T0 + i), config, T0)
    w = window_stats(state, T0, config, T0)
    assert statement("Evros", w, 3600) == (
        "Evros: 3 reports from 3 sources in the last hour, usually none"
    )
    assert "last 30 minutes" in statement("Evros", w, 1800)


def test_the_agent_step_counts_and_forwards_markers() -> None:
    settings = Settings(alerts_partitions=2)
    config = SurgeConfig()
    table: dict[str, object] = {}
    out = []
    for m in quiet_start() + [mention(i, T0 + 30 * H + i * 60) for i in range(7)]:
        out += handle(table, settings, config, m.place.encode(), json.dumps(m.to_dict()).encode())
    assert [o[1] for o in out] == [b"surge:region:evros"]
    marker = b'{"type":"marker","run_id":"r","source_partition":0,"count":3}'
    sent = handle(table, settings, config, b"__marker__", marker)
    assert [(o[0], o[3]) for o in sent] == [("alerts", 0), ("alerts", 1)]


def test_generated_archives(scanner: PlaceScanner) -> None:
    config = SurgeConfig()
    for seed in (11, 12):
        for planted, want in ((True, ["surge:region:evros"]), (False, [])):
            book = SurgeBook(config)
            got = [
                a.group
                for art in surgegen.archive(planted, seed=seed)
                for m in mentions(art, scanner, config)
                for a in book.add(m)
            ]
            assert got == want, (seed, planted)


def test_surge_times_are_the_articles_own() -> None:
    surge = surgegen.surge(at=datetime(2026, 3, 3, 14, tzinfo=UTC))
    assert surge[0].published is not None
    assert surge[-1].published - surge[0].published <= timedelta(minutes=40)  # type: ignore[operator]


def test_out_of_order_arrival_still_one_surge(scanner: PlaceScanner) -> None:
    """Several partitions deliver reports hours out of order: still one surge, no re-alert."""
    config = SurgeConfig()
    articles = surgegen.archive(planted=True)
    for seed in range(6):
        rng = random.Random(seed)
        jittered = sorted(articles, key=lambda a: a.fetched.timestamp() + rng.uniform(0, 3 * H))
        book = SurgeBook(config)
        got = [a for art in jittered for m in mentions(art, scanner, config) for a in book.add(m)]
        assert [(a.group, a.surge.step if a.surge else None) for a in got] == [
            ("surge:region:evros", 0)
        ], seed


def test_surge_alerts_in_the_report_timeline_and_routes(scanner: PlaceScanner) -> None:
    from borderwatch.cli.report import COLOURS, html_report
    from borderwatch.core.settings import SlackRoute
    from borderwatch.notifiers.silences import matches, parse_matchers
    from borderwatch.notifiers.sinks.slack.routing import Router

    config = SurgeConfig()
    book = SurgeBook(config)
    alerts = [a for art in surgegen.archive(planted=True)
              for m in mentions(art, scanner, config) for a in book.add(m)]  # fmt: skip
    page = html_report("surges", alerts)
    assert COLOURS["surge"] in page and "Evros: 6 reports from 6 sources" in page
    router = Router("#ops", [SlackRoute(channel="#surges", categories=["surge"])])
    assert router(alerts[0]) == "#surges"
    assert matches(parse_matchers("category=surge,country=GRC"), alerts[0])
    assert not matches(parse_matchers("category=border_shooting"), alerts[0])


def test_a_surge_and_its_update_are_one_slack_story(tmp_path: Path) -> None:
    from borderwatch.notifiers.sinks.slack.stories import StoryBook

    at = T0 + 30 * H
    alerts = run(quiet_start() + [mention(i, at + i * 60) for i in range(14)])
    assert [a.surge.step if a.surge else None for a in alerts] == [0, 1]
    book = StoryBook(tmp_path / "stories.sqlite3")
    first, created = book.add(alerts[0])
    second, again = book.add(alerts[1])
    assert created and not again and first.story_id == second.story_id


def test_the_worker_sends_every_articles_places_and_markers_behind_them(
    detector: Detector,
) -> None:
    from borderwatch.core.models import Marker
    from borderwatch.streams.worker.processor import Processor

    settings = Settings(kafka_bootstrap="127.0.0.1:1", alerts_partitions=3)
    processor = Processor(settings, detector, surges=True)
    plain = Article(id="p", title="Weather near Evros", text="Rain fell all day.")  # no rule
    marker = Marker(run_id="r", source_partition=1, count=1)
    out = processor.process_batch([(plain.to_bytes(), b"p"), (marker.to_bytes(), b"__marker__")])
    assert [(o.topic, o.key, o.partition) for o in out] == [
        (settings.mentions_topic, b"region:evros", 0),
        (settings.mentions_topic, b"__marker__", 0),  # to the surge agent, not to alerts
    ]
    assert Mention.from_dict(json.loads(out[0].value)).weight == 1.0
