"""The faust application: one agent from ``articles`` to ``alerts`` (and ``articles.dlq``)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import faust

from borderwatch.core import metrics
from borderwatch.core.connection import KafkaConnection
from borderwatch.core.settings import Settings
from borderwatch.streams.detect import Detector
from borderwatch.streams.examples import checked_detector
from borderwatch.streams.worker.holes import read_holes
from borderwatch.streams.worker.positions import Hole, Positions
from borderwatch.streams.worker.processor import Processor
from borderwatch.streams.worker.reload import RulesWatcher
from borderwatch.streams.worker.surges import add_surge_agent

log = logging.getLogger(__name__)


def _limit_fetch_wait(ms: int) -> None:
    """faust builds its aiokafka consumer with fetch_max_wait_ms=1500 and no setting for it;
    a broker that holds an empty fetch that long adds up to 1.5 s to every alert. This
    worker process only talks Kafka through faust, so its consumer class is narrowed here."""
    import aiokafka

    base = aiokafka.AIOKafkaConsumer
    if getattr(base, "_bw_fetch_wait", None) == ms:
        return

    class QuickFetchConsumer(base):  # type: ignore[misc, valid-type]
        _bw_fetch_wait = ms

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["fetch_max_wait_ms"] = ms
            super().__init__(*args, **kwargs)

    aiokafka.AIOKafkaConsumer = QuickFetchConsumer


def hand_acked_event(topic: str) -> type[faust.Event]:
    """An event class whose records of ``topic`` are acked only once the agent settles them.

    When flow control is suspended (a stop, a rebalance) faust's stream skips the records
    it has fetched and acks them "so the lag does not grow"; once the batch in hand was
    acked, those were committed although nobody had read them. Here a skipped record is
    never acked: it is read again after the restart."""

    class HandAckedEvent(faust.Event):
        settled = False

        def ack(self) -> bool:
            if self.message.topic == topic and not self.settled:
                return False
            return bool(super().ack())

    return HandAckedEvent


def _no_gap_filling(consumer: Any, topic: str) -> None:
    """faust marks the offsets it sees jump over as acked, meant for compaction and
    transaction markers; on ``topic`` a jump is a record faust lost at a seek, and marking
    it acked commits it unread. The topic is written without transactions or compaction, and
    ``Positions`` reads every offset in a line, so its gaps are never filled."""
    fill = consumer._add_gap

    async def add_gap(tp: Any, offset_from: int, offset_to: int) -> None:
        if tp.topic != topic:
            await fill(tp, offset_from, offset_to)

    consumer._add_gap = add_gap


def _ack_hole(consumer: Any, hole: Hole) -> None:
    """Mark a hole's offsets acked, as faust's own ``Consumer.ack`` marks a record's, once
    the worker has read and delivered them itself: faust then commits across the hole."""
    from faust.types.tuples import ack_lock

    with ack_lock:
        committed = consumer._committed_offset[hole.tp]
        index, acked = consumer._acked_index[hole.tp], consumer._acked[hole.tp]
        for offset in range(hole.start, hole.end):
            if (committed is None or offset >= committed) and offset not in index:
                index.add(offset)
                acked.append(offset)
                consumer._n_acked += 1


def create_app(settings: Settings, detector: Detector | None = None) -> faust.App:
    connection = settings.kafka  # a BrokerError (K003) without a bootstrap server
    brokers = connection.broker_urls()
    _limit_fetch_wait(settings.fetch_max_wait_ms)
    app = faust.App(
        settings.app_id,
        broker=brokers,
        store="memory://",
        datadir=str(settings.data_dir / "faust"),
        # Tansu fails idempotent producers and transactions; at-least-once plus
        # deterministic alert ids (deduplicated downstream) gives effectively-once alerts.
        processing_guarantee="at_least_once",
        broker_session_timeout=settings.session_timeout_s,
        broker_heartbeat_interval=max(1.0, settings.session_timeout_s / 4),
        consumer_auto_offset_reset="earliest",
        topic_replication_factor=1,
        topic_allow_declare=False,  # topics are created up front with their partition counts
        web_enabled=settings.worker_web_enabled,
        web_host=settings.worker_web_host,
        web_port=settings.worker_web_port,
        web_bind=settings.worker_web_host,
        producer_acks=-1,
        broker_credentials=faust_credentials(connection),
        Event=hand_acked_event(settings.articles_topic),
    )
    consumer: Any = app.consumer
    _no_gap_filling(consumer, settings.articles_topic)
    # faust's committed offset per partition (next to read), known from its seek at assignment
    positions = Positions(lambda tp: consumer._committed_offset.get(tp))

    @app.on_partitions_assigned.connect  # type: ignore[arg-type]  # mode types it too narrowly
    def on_assigned(sender: Any, *args: Any, signal: Any, **kwargs: Any) -> None:
        positions.assigned(args[0] if args else kwargs.get("assigned", ()))

    processor = Processor(
        settings, detector or checked_detector(settings), surges=settings.surge_enabled
    )
    app.on_startup_finished = metrics.mark_ready  # rules loaded, consumer started
    topics: dict[str, Any] = {
        name: app.topic(name, key_serializer="raw", value_serializer="raw", partitions=parts)
        for name, parts in (
            (settings.articles_topic, settings.articles_partitions),
            (settings.alerts_topic, settings.alerts_partitions),
            (settings.dlq_topic, settings.dlq_partitions),
            (settings.mentions_topic, 1),
        )
    }
    if settings.surge_enabled:
        add_surge_agent(app, settings)
    # spaCy is CPU-bound; one thread keeps the event loop free for heartbeats and commits.
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="spacy")

    @app.agent(topics[settings.articles_topic], name="detect")
    async def detect(stream: Any) -> AsyncIterator[None]:
        # Batches bounded in size and time: spaCy's nlp.pipe is several times faster per
        # article on a batch, and a quiet stream still moves within batch_within_s. Each
        # batch is read in parts whose outputs are sent at once: an alert waits for the
        # work of its part, not of the whole batch.
        # Acked by hand, once a batch's alerts are delivered, on a stream that never acks by
        # itself: take_events acks a batch as it closes, and when a take ends faust restores
        # the stream's own acks while its background drainer still reads, so a stop (SIGTERM)
        # committed records nobody had read. A stop also waits for the batch in hand to
        # finish (however often it cancels meanwhile), so a restart neither skips nor
        # repeats it.
        manual = stream.noack()
        async for taken in manual.noack_take(settings.batch_max, within=settings.batch_within_s):
            picked = positions.sort(taken)
            if picked.repeated:
                log.info("%d records delivered again: not read twice", picked.repeated)
            events = picked.fresh
            records = [*await fill_holes(picked.holes), *((e.value, e.key) for e in events)]
            work = asyncio.ensure_future(handle(records))
            stopping = False
            while not work.done():
                try:
                    await asyncio.shield(work)
                except asyncio.CancelledError:
                    stopping = True
            work.result()
            positions.settle(events, picked.holes)
            for hole in picked.holes:
                _ack_hole(consumer, hole)
            for event in events:
                event.settled = True
                await manual.ack(event)
            if stopping:
                raise asyncio.CancelledError
            yield None

    async def fill_holes(holes: list[Hole]) -> list[tuple[Any, Any]]:
        if not holes:
            return []
        for hole in holes:
            log.warning(
                "%s[%d]: offsets %d to %d never reached the worker (next came %d); reading "
                "them beside the stream", hole.tp.topic, hole.tp.partition, hole.start,
                hole.end - 1, hole.end,
            )  # fmt: skip
        found = await asyncio.get_running_loop().run_in_executor(None, read_holes, settings, holes)
        records: list[tuple[Any, Any]] = []
        for hole, read in zip(holes, found, strict=True):
            if len(read) < hole.end - hole.start:
                log.warning(
                    "%s[%d]: %d of offsets %d to %d are no longer in the log",
                    hole.tp.topic, hole.tp.partition, hole.end - hole.start - len(read),
                    hole.start, hole.end - 1,
                )  # fmt: skip
            records.extend((r.value, r.key) for r in read)
        return records

    async def handle(records: list[tuple[Any, Any]]) -> None:
        """Read a batch in parts and publish each part's outputs, delivered, before the next.

        ``force=True``: faust would otherwise attach a send to the stream's current event
        and publish it only when that event is acked; in a batch that is an event already
        buffered for the next one. Waiting for delivery keeps the acks behind the alerts."""
        loop = asyncio.get_running_loop()
        parts = processor.process_parts(records)
        while (outputs := await loop.run_in_executor(executor, next, parts, None)) is not None:
            sent = [
                await topics[out.topic].send(
                    key=out.key, value=out.value, partition=out.partition, force=True
                )
                for out in outputs
            ]
            await asyncio.gather(*sent)

    async def consumer_lag() -> None:
        monitor = app.monitor  # faust tracks the last read and the end offset per partition
        for tp, end in dict(monitor.tp_end_offsets or {}).items():
            read = (monitor.tp_read_offsets or {}).get(tp)
            position = read + 1 if read is not None else None
            metrics.record_lag(settings.app_id, tp.topic, tp.partition, end, position)

    app.timer(interval=2.0, name="consumer-lag")(consumer_lag)

    if settings.rules_reload_s > 0:
        watcher = RulesWatcher(
            settings.rules_dir,
            processor.detector,
            build=lambda: checked_detector(settings),
            on_swap=processor.use,
        )

        async def reload_rules() -> None:
            # The same single thread as detection: a swap never lands mid-article.
            await asyncio.get_running_loop().run_in_executor(executor, watcher.poll)

        app.timer(interval=settings.rules_reload_s, name="rules-reload")(reload_rules)

    return app


def faust_credentials(connection: KafkaConnection) -> faust.types.auth.CredentialsT | None:
    """The connection's login for faust: the same TLS context and SASL login the kafka-python
    clients get (``KafkaConnection.kafka_python``)."""
    context = connection.ssl_context()
    login = connection.sasl_login()
    if login is not None:
        mechanism, username, password = login
        return faust.SASLCredentials(
            username=username, password=password, mechanism=mechanism, ssl_context=context
        )
    if context is not None:
        return faust.SSLCredentials(context)
    return None
