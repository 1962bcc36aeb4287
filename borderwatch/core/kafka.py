"""Kafka clients configured the one way this project needs them.

Kept in one place so every stage gets the same idempotence choice (off for Tansu, on for a
real cluster) and the same topic layout.
"""

from __future__ import annotations

import logging
import ssl
import threading
import time
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from borderwatch.core.backoff import Backoff
from borderwatch.core.errors import BrokerError, Problem
from borderwatch.core.settings import Settings

log = logging.getLogger(__name__)


def topic_layout(settings: Settings) -> dict[str, int]:
    """Every topic with its partition count: Tansu cannot add partitions later."""
    return {
        settings.articles_topic: settings.articles_partitions,
        settings.alerts_topic: settings.alerts_partitions,
        settings.dlq_topic: settings.dlq_partitions,
        settings.alerts_dlq_topic: settings.dlq_partitions,
    }


def _bootstrap(settings: Settings) -> str:
    if not settings.kafka_bootstrap:
        raise BrokerError(Problem("K003", "no Kafka bootstrap server configured"))
    return settings.kafka_bootstrap


def ssl_context(settings: Settings) -> ssl.SSLContext | None:
    """For TLS protocols: the system CAs, or the configured bundle, plus an optional client
    certificate. Built once here so the kafka-python clients and faust verify alike."""
    if settings.kafka_security_protocol not in ("SSL", "SASL_SSL"):
        return None
    cafile = str(settings.kafka_ssl_cafile) if settings.kafka_ssl_cafile else None
    context = ssl.create_default_context(cafile=cafile)
    if settings.kafka_ssl_certfile and settings.kafka_ssl_keyfile:
        context.load_cert_chain(str(settings.kafka_ssl_certfile), str(settings.kafka_ssl_keyfile))
    return context


def security(settings: Settings) -> dict[str, Any]:
    """kafka-python's connection security options for these settings."""
    options: dict[str, Any] = {"security_protocol": settings.kafka_security_protocol}
    context = ssl_context(settings)
    if context is not None:
        options["ssl_context"] = context
    if settings.kafka_security_protocol.startswith("SASL_"):
        assert settings.kafka_sasl_password is not None  # the settings validator made sure
        options.update(
            sasl_mechanism=settings.kafka_sasl_mechanism,
            sasl_plain_username=settings.kafka_sasl_username,
            sasl_plain_password=settings.kafka_sasl_password.get_secret_value(),
        )
    return options


def admin(settings: Settings, timeout: float = 30.0) -> KafkaAdminClient:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return KafkaAdminClient(
                bootstrap_servers=_bootstrap(settings),
                client_id=f"{settings.app_id}-admin",
                **security(settings),
            )
        except KafkaError as exc:
            if time.monotonic() > deadline:
                raise BrokerError(
                    Problem("K004", f"no broker answered at {settings.kafka_bootstrap}")
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
            raise BrokerError(Problem("K008", f"gave up after {timeout_s:.0f}s: {problem}"))
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
        raise BrokerError(Problem("K005", f"cannot create topics: {exc}")) from exc
    finally:
        client.close()
    problems = [
        Problem(
            "K006",
            f"topic {name} has {described.get(name)} partitions, settings say {want}",
        )
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
        bootstrap_servers=_bootstrap(settings),
        client_id=f"{settings.app_id}-producer",
        enable_idempotence=settings.idempotence,
        acks="all",
        linger_ms=5,
        retries=5,
        max_request_size=8 * 1024 * 1024,
        **security(settings),
    )


def consumer(settings: Settings, group_id: str, *topics: str) -> KafkaConsumer:
    c = KafkaConsumer(
        bootstrap_servers=_bootstrap(settings),
        group_id=group_id,
        client_id=f"{settings.app_id}-{group_id}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        session_timeout_ms=int(settings.session_timeout_s * 1000),
        heartbeat_interval_ms=max(1000, int(settings.session_timeout_s * 1000) // 4),
        fetch_max_wait_ms=settings.fetch_max_wait_ms,
        **security(settings),
    )
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
