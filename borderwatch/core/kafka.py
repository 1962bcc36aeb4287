"""Kafka clients configured the one way this project needs them.

Kept in one place so every stage gets the same idempotence choice (off for Tansu, on for a
real cluster), the same topic layout, and the same connection: ``KafkaConnection`` holds where
the brokers are and how to log in to them (SASL, TLS), and renders that once per client
library (kafka-python here, faust in the stream worker), so the clients cannot drift apart.
"""

from __future__ import annotations

import logging
import threading
import time

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from borderwatch.core.backoff import Backoff
from borderwatch.core.errors import BrokerError, Codes, Problem
from borderwatch.core.settings import Settings

log = logging.getLogger(__name__)


def topic_layout(settings: Settings) -> dict[str, int]:
    """Every topic with its partition count: Tansu cannot add partitions later."""
    return {
        settings.articles_topic: settings.articles_partitions,
        settings.alerts_topic: settings.alerts_partitions,
        settings.dlq_topic: settings.dlq_partitions,
        settings.alerts_dlq_topic: settings.dlq_partitions,
        settings.mentions_topic: 1,  # one surge agent sees every place's mentions in order
        settings.surge_changelog_topic: 1,
    }


# One attempt to reach the cluster. kafka-python's own bootstrap waits up to 30 s with
# backoffs growing to 30 s, so a service started a moment before its broker said nothing
# for half a minute and noticed the broker only then; the callers' loops (``admin``,
# ``wait_for_broker``) pace and log the retries instead. Long enough for a TLS and SASL
# handshake with a remote cluster.
ATTEMPT_S = 5.0


def admin(settings: Settings, timeout: float = 30.0) -> KafkaAdminClient:
    """An admin client, trying for ``timeout`` seconds (0: one attempt of ``ATTEMPT_S``)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return KafkaAdminClient(
                client_id=f"{settings.app_id}-admin",
                bootstrap_timeout_ms=int(ATTEMPT_S * 1000),
                reconnect_backoff_max_ms=1000,
                **settings.kafka.kafka_python(),
            )
        except KafkaError as exc:
            if time.monotonic() > deadline:
                raise BrokerError(
                    Problem.of(Codes.K004, bootstrap=settings.kafka_bootstrap)
                ) from exc
            time.sleep(0.2)


def wait_for_broker(
    settings: Settings, timeout_s: float, stop: threading.Event | None = None
) -> bool:
    """Services may start before Kafka, or before the topics job has run: wait for both, with
    growing pauses, each logged, rather than exit into a restart loop (or let a subscription
    auto-create a topic with the broker's default partition count). False when ``stop`` was
    set first; BrokerError when the time is up."""
    deadline = time.monotonic() + timeout_s
    pauses = Backoff(first_s=0.5, cap_s=30.0)
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            client = admin(settings, timeout=0)
            try:
                missing = sorted(set(topic_layout(settings)) - set(client.list_topics()))
            finally:
                client.close()
            if not missing:
                return True
            problem = f"topics {', '.join(missing)} do not exist yet (run `borderwatch topics`)"
        except (BrokerError, KafkaError) as exc:
            problem = f"Kafka at {settings.kafka_bootstrap} is not reachable ({exc})"
        delay = pauses.next()
        if time.monotonic() + delay > deadline:
            raise BrokerError(Problem.of(Codes.K008, timeout_s=timeout_s, problem=problem))
        log.warning("%s; trying again in %.1fs", problem, delay)
        stop.wait(delay)
    return False


def ensure_topics(settings: Settings, recreate: bool = False) -> dict[str, int]:
    """Create missing topics; fail loudly if an existing one has another partition count.

    ``recreate`` is for an embedded broker that has just restarted empty: a client's metadata
    request may have auto-created a topic (with 4 partitions) before this call, and such a
    topic holds nothing yet, so it is deleted and created again with its own count."""
    wanted = topic_layout(settings)
    client = admin(settings)
    try:
        described = _create(client, wanted)
        for _ in range(5 if recreate else 0):
            wrong = [n for n, want in wanted.items() if described.get(n) != want]
            if not wrong:
                break
            log.warning("recreating auto-created topics %s", ", ".join(wrong))
            client.delete_topics(wrong)
            described = _create(client, wanted)
    except KafkaError as exc:
        raise BrokerError(Problem.of(Codes.K005, error=exc)) from exc
    finally:
        client.close()
    problems = [
        Problem.of(Codes.K006, topic=name, have=described.get(name), want=want)
        for name, want in wanted.items()
        if described.get(name) != want
    ]
    if problems:
        raise BrokerError(problems)
    return described


def _create(client: KafkaAdminClient, wanted: dict[str, int]) -> dict[str, int]:
    for name, partitions in wanted.items():
        try:
            client.create_topics([NewTopic(name, partitions, 1)])
            log.info("created topic %s with %d partitions", name, partitions)
        except TopicAlreadyExistsError:
            pass
    return {d["name"]: len(d["partitions"]) for d in client.describe_topics(list(wanted))}


def producer(settings: Settings) -> KafkaProducer:
    return KafkaProducer(
        client_id=f"{settings.app_id}-producer",
        enable_idempotence=settings.idempotence,
        acks="all",
        linger_ms=5,
        retries=5,
        max_request_size=8 * 1024 * 1024,
        **settings.kafka.kafka_python(),
    )


def consumer(
    settings: Settings, group_id: str | None, *topics: str, client: str | None = None
) -> KafkaConsumer:
    """A consumer that commits only when told to. Without a group (``group_id=None``) nothing
    is committed at all and the caller assigns partitions itself (a replay reading a topic by
    time); ``client`` names it in the broker's logs (default: the group)."""
    session_ms = int(settings.session_timeout_s * 1000)
    c = KafkaConsumer(
        group_id=group_id,
        client_id=f"{settings.app_id}-{client or group_id}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        session_timeout_ms=session_ms,
        heartbeat_interval_ms=max(1000, session_ms // 4),
        fetch_max_wait_ms=settings.fetch_max_wait_ms,
        **settings.kafka.kafka_python(),
    )
    if topics:
        c.subscribe(list(topics))
    return c


def drop_topics(settings: Settings) -> None:
    """Delete this settings' topics (a finished replay's); a failure is logged, not raised."""
    client = admin(settings)
    try:
        existing = set(client.list_topics())
        names = [n for n in topic_layout(settings) if n in existing]
        if names:
            client.delete_topics(names)
            log.info("deleted topics %s", ", ".join(names))
    except KafkaError as exc:
        log.warning("could not delete replay topics of %s: %s", settings.topic_prefix, exc)
    finally:
        client.close()
