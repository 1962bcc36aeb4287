from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from spacy.language import Language

from borderwatch.broker import EmbeddedBroker
from borderwatch.settings import Settings
from streams.detect import Detector
from streams.nlp import load_nlp
from streams.ruleset import load_rules
from tests.fakeslack import FakeSlack, start_fake_slack

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def nlp() -> Language:
    return load_nlp(Settings().spacy_model)


@pytest.fixture(scope="session")
def detector(nlp: Language) -> Detector:
    return Detector.build(nlp, load_rules([RULES]), RULES)


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
