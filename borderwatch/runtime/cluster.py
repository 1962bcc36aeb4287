"""The Kafka cluster a command talks to and the stream worker process beside it.

A command either uses the configured cluster or starts an embedded broker that lives as
long as the command; the faust worker always runs in a child process so that a crash in
spaCy or faust cannot take the notifier down with it.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from borderwatch.core.errors import BorderwatchError, Codes, Problem
from borderwatch.core.kafka import ensure_topics
from borderwatch.core.settings import Settings
from borderwatch.runtime import procs
from borderwatch.runtime.broker import EmbeddedBroker

log = logging.getLogger(__name__)


@contextmanager
def kafka_cluster(settings: Settings) -> Iterator[Settings]:
    """The configured cluster, or an embedded broker that lives as long as this block."""
    with cluster_and_broker(settings) as (cluster, _):
        yield cluster


@contextmanager
def cluster_and_broker(settings: Settings) -> Iterator[tuple[Settings, EmbeddedBroker | None]]:
    """As ``kafka_cluster``, with the embedded broker (None for a configured cluster) for a
    supervisor to restart."""
    if settings.kafka_bootstrap:
        ensure_topics(settings)
        yield settings, None
        return
    log_path = settings.data_dir / "logs" / "broker.log"
    with EmbeddedBroker(port=settings.embedded_port, log_path=log_path) as broker:
        embedded = settings.model_copy(
            update={"kafka_bootstrap": broker.bootstrap, "kafka_idempotence": False}
        )
        ensure_topics(embedded)
        yield embedded, broker


def worker_log(settings: Settings) -> Path:
    return settings.data_dir / "logs" / f"worker-{os.getpid()}.log"


def worker_env(settings: Settings) -> dict[str, str]:
    """The worker talks to Kafka, so it gets the Kafka password and no other secret."""
    return {**settings.inherited_env(), **settings.child_env(secrets=("kafka_sasl_password",))}


def spawn_worker(settings: Settings) -> subprocess.Popen[bytes]:
    env = worker_env(settings)
    return procs.spawn([sys.executable, "-m", "borderwatch.streams.worker"], env=env,
                       log_path=worker_log(settings))  # fmt: skip


def stop_worker(proc: subprocess.Popen[bytes], settings: Settings) -> None:
    """SIGTERM: the worker finishes its batch and commits before it exits."""
    procs.stop(proc, "stream worker", timeout=20)
    if proc.returncode not in (0, -15, None):
        log.warning("stream worker exited with %s; log: %s", proc.returncode, worker_log(settings))


@contextmanager
def stream_worker(settings: Settings) -> Iterator[subprocess.Popen[bytes]]:
    """A faust worker in a child process; stopped (drained, committed) when the block ends."""
    proc = spawn_worker(settings)
    try:
        yield proc
    finally:
        stop_worker(proc, settings)


def worker_failure(proc: subprocess.Popen[bytes], settings: Settings) -> BorderwatchError:
    log_path = worker_log(settings)
    return BorderwatchError(
        Problem.of(
            Codes.W001, exit_code=proc.returncode, log=log_path, tail=procs.tail(log_path, 20)
        )
    )
