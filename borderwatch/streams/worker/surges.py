"""The surge agent: mentions (keyed by place) in, surge alerts out, counts in a faust table.

The table (``surge_places``, one partition, changelog-backed) holds each place's
``PlaceState``: time buckets of weighted counts with their article ids, sources and top
headlines, and the surge episode (hysteresis). A restarted worker recovers it from the
changelog; a mention redelivered after a restart counts once (its article id is in its bucket)
and a surge raised twice has the same alert id (place, surge start, step), which the delivery
ledger drops.

End markers come this way too (the detect agent sends them here behind its mentions): this
agent forwards each to every ``alerts`` partition, so a replay ends only after its surges.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import faust

from borderwatch.core import metrics
from borderwatch.core.models import Marker
from borderwatch.core.settings import Settings
from borderwatch.streams.surge import (
    Mention,
    PlaceState,
    SurgeConfig,
    observe,
    stream_first,
    surge_alert,
)

log = logging.getLogger(__name__)

TABLE = "surge_places"
FIRST = "~stream-first"  # the table's one key that is not a place


def handle(
    table: Any, settings: Settings, config: SurgeConfig, key: bytes | None, raw: bytes
) -> list[tuple[str, bytes, bytes, int | None]]:
    """One record of the mentions topic: the (topic, key, value, partition) to send. ``table``
    is any mapping of place to state dict (the faust table, or a dict in tests)."""
    data = json.loads(raw)
    if data.get("type") == "marker":
        value = Marker.model_validate(data).to_bytes()
        return [
            (settings.alerts_topic, b"__marker__", value, p)
            for p in range(settings.alerts_partitions)
        ]
    mention = Mention.from_dict(data)
    state = PlaceState.from_dict(table.get(mention.place))
    seen = table.get(FIRST)
    first = stream_first(seen["at"] if seen else None, mention, config)
    if seen is None or seen["at"] != first:
        table[FIRST] = {"at": first}
    events = observe(state, mention, config, first)
    table[mention.place] = state.to_dict()
    out: list[tuple[str, bytes, bytes, int | None]] = []
    for event in events:
        alert = surge_alert(event, config)
        metrics.ALERTS.labels(alert.category).inc()
        out.append((settings.alerts_topic, alert.group.encode(), alert.to_bytes(), None))
    return out


def add_surge_agent(app: faust.App, settings: Settings) -> None:
    config = SurgeConfig.from_settings(settings)
    mentions = app.topic(
        settings.mentions_topic, key_serializer="raw", value_serializer="raw", partitions=1
    )
    alerts = app.topic(
        settings.alerts_topic,
        key_serializer="raw",
        value_serializer="raw",
        partitions=settings.alerts_partitions,
    )
    table = app.Table(
        TABLE,
        default=None,
        partitions=1,
        schema=faust.Schema(key_type=str, key_serializer="json", value_serializer="json"),
    )

    @app.agent(mentions, name="surge")
    async def surge(stream: Any) -> AsyncIterator[None]:
        async for event in stream.events():
            try:
                sends = handle(table, settings, config, event.key, event.value)
            except Exception:  # one bad mention must not stop the counts of every place
                log.exception("surge: mention not counted: %r", event.value[:200])
                sends = []
            for _topic, key, value, partition in sends:
                await alerts.send(key=key, value=value, partition=partition)
            yield None
