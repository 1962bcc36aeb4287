"""Fixtures and helpers every kind of test shares: the broker, spaCy, fake Slack, settings
isolated per test, and the environment of a CLI process on the test's broker."""

from __future__ import annotations

import functools
import http.server
import os
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from spacy.language import Language

from borderwatch.core.settings import Settings
from borderwatch.runtime.broker import EmbeddedBroker, free_port
from borderwatch.streams.detect import Detector
from borderwatch.streams.examples import checked_detector
from borderwatch.streams.reading.nlp import load_nlp
from tests.support.fakeslack import FakeSlack, start_fake_slack

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "rules"
FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture(scope="session")
def nlp() -> Language:
    return load_nlp(Settings().spacy_model)


@pytest.fixture(scope="session")
def detector(nlp: Language) -> Detector:
    return checked_detector(Settings(), RULES, examples=False)


@pytest.fixture(scope="session")
def kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One real Tansu broker per test session, on a free loopback port."""
    logs = tmp_path_factory.mktemp("broker")
    with EmbeddedBroker(log_path=logs / "broker.log") as broker:
        yield broker.bootstrap


@pytest.fixture()
def fake_slack() -> Iterator[FakeSlack]:
    fake = start_fake_slack()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture()
def http_dir(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A throwaway HTTP server on loopback serving files from a temp directory."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))

    class Quiet(handler.func):  # type: ignore[name-defined, misc]
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(tmp_path))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}", tmp_path
    server.shutdown()
    server.server_close()


def isolated_settings(kafka: str, tmp_path: Path, **extra: object) -> Settings:
    tag = uuid.uuid4().hex[:8]
    return Settings(
        kafka_bootstrap=kafka,
        kafka_idempotence=False,
        topic_prefix=f"t{tag}.",
        app_id=f"bw-{tag}",
        rules_dir=RULES,
        data_dir=tmp_path,
        session_timeout_s=6,
        **extra,  # type: ignore[arg-type]
    )


def our_processes(marker: str) -> list[int]:
    """Pids whose command line or environment mentions ``marker`` (a unique temp path/port)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            blob = (entry / "cmdline").read_bytes() + (entry / "environ").read_bytes()
        except OSError:
            continue
        if marker.encode() in blob:
            found.append(int(entry.name))
    return found


def interruptible() -> None:
    """``preexec_fn`` for a CLI child a test stops with Ctrl-C (SIGINT). A shell without job
    control starts a background job (``make test &``) with SIGINT ignored, children inherit
    that, and the Ctrl-C would never arrive: the child gets the disposition a terminal's
    foreground process has."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def cli_env(tmp_path: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BORDERWATCH_")}
    env.update(
        BORDERWATCH_DATA_DIR=str(tmp_path / "data"),
        BORDERWATCH_EMBEDDED_PORT=str(port),
        BORDERWATCH_SESSION_TIMEOUT_S="6",
        COLUMNS="120",
    )
    return env


def cluster_env(live: Settings, tmp_path: Path) -> dict[str, str]:
    """CLI environment pointing at the test broker with ``live``'s topics (a shared cluster)."""
    env = cli_env(tmp_path, free_port())
    env.update(
        BORDERWATCH_KAFKA_BOOTSTRAP=live.kafka_bootstrap or "",
        BORDERWATCH_KAFKA_IDEMPOTENCE="false",
        BORDERWATCH_TOPIC_PREFIX=live.topic_prefix,
        BORDERWATCH_APP_ID=live.app_id,
    )
    return env


def notify_process(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "borderwatch", "notify"],
        cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip


def notify_env(settings: Settings, tmp_path: Path, fake_slack: FakeSlack,
               **extra: str) -> dict[str, str]:  # fmt: skip
    """The environment of a ``borderwatch notify`` process on the test's topics and Slack."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BORDERWATCH_")}
    env.update(
        BORDERWATCH_KAFKA_BOOTSTRAP=str(settings.kafka_bootstrap),
        BORDERWATCH_KAFKA_IDEMPOTENCE="false",
        BORDERWATCH_TOPIC_PREFIX=settings.topic_prefix,
        BORDERWATCH_APP_ID=settings.app_id,
        BORDERWATCH_DATA_DIR=str(tmp_path / "data"),
        BORDERWATCH_SESSION_TIMEOUT_S="6",
        BORDERWATCH_SLACK_TOKEN="xoxb-crash-test",
        BORDERWATCH_SLACK_CHANNEL="#ops",
        BORDERWATCH_SLACK_BASE_URL=fake_slack.base_url,
        BORDERWATCH_CONSOLE="false",
        **{f"BORDERWATCH_{k.upper()}": v for k, v in extra.items()},
    )
    return env
