"""The webhook sink against a real local HTTP server: signature, retries, and failure."""

from __future__ import annotations

import http.server
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pydantic import SecretStr

from borderwatch.core.models import Alert, BorderAction, Shooting, parse_alert_message
from borderwatch.notifiers.sinks.jsonl import JsonlNotifier
from borderwatch.notifiers.sinks.webhook import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookError,
    WebhookNotifier,
    verify,
)
from tests.support.factories import make_alert

SECRET = "whsec-test-0123456789"


@dataclass
class Receiver:
    url: str
    statuses: list[int] = field(default_factory=list)  # answered in order, then 200
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.received.append((dict(self.headers.items()), body))
            status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    yield state
    server.shutdown()
    server.server_close()


def test_posts_signed_json(receiver: Receiver) -> None:
    alert = make_alert(title="<!channel> & friends")
    WebhookNotifier(receiver.url, SecretStr(SECRET)).send(alert)
    ((headers, body),) = receiver.received
    assert json.loads(body)["alert_id"] == alert.alert_id
    assert headers["Content-Type"] == "application/json"
    assert verify(SECRET, headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER])
    assert not verify("wrong-secret", headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER])
    assert not verify(SECRET, headers[TIMESTAMP_HEADER], body + b" ", headers[SIGNATURE_HEADER])


def test_retries_transient_errors_then_delivers(receiver: Receiver) -> None:
    receiver.statuses = [503, 429]
    WebhookNotifier(receiver.url, SecretStr(SECRET), backoff_s=0.01).send(make_alert())
    assert len(receiver.received) == 3


def test_gives_up_with_a_clear_error(receiver: Receiver) -> None:
    receiver.statuses = [500] * 10
    hook = WebhookNotifier(receiver.url, SecretStr(SECRET), attempts=3, backoff_s=0.01)
    with pytest.raises(WebhookError, match=r"failed for alert a1: HTTP 500"):
        hook.send(make_alert())
    assert len(receiver.received) == 3
    receiver.statuses = [400]
    with pytest.raises(WebhookError, match="HTTP 400"):
        hook.send(make_alert())  # a client error is not retried
    assert len(receiver.received) == 4


def test_secret_never_in_repr() -> None:
    hook = WebhookNotifier("http://127.0.0.1:9/x", SecretStr(SECRET))
    assert SECRET not in repr(hook) and SECRET not in str(vars(hook))


def test_connection_errors_are_retried_then_named() -> None:
    with socket.socket() as sock:  # a port that was just free: nothing listens on it
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    hook = WebhookNotifier(f"http://127.0.0.1:{port}/hook", attempts=2, backoff_s=0.01)
    with pytest.raises(WebhookError, match=r"failed for alert a1: ConnectError"):
        hook.send(make_alert())
    hook.close()


def _framed() -> Alert:
    facts = make_alert().facts.model_copy(
        update={
            "shootings": [Shooting(by="border_guard", by_country="GRC", at="migrant",
                                   weapon="rubber", outcome="wounded", count=1)],
            "border_actions": [BorderAction(actor="TUR", action="open", for_="refugees",
                                            border=["TUR", "GRC"])],
        }
    )  # fmt: skip
    return make_alert().model_copy(update={"facts": facts, "confidence": 0.62, "band": "likely"})


def test_webhook_and_jsonl_carry_confidence_band_and_frames(
    receiver: Receiver, tmp_path: Path
) -> None:
    alert = _framed()
    WebhookNotifier(receiver.url, SecretStr(SECRET)).send(alert)
    jsonl = JsonlNotifier(tmp_path / "alerts.jsonl")
    jsonl.send(alert)
    jsonl.close()
    ((_, body),) = receiver.received
    for raw in (body, (tmp_path / "alerts.jsonl").read_bytes().strip()):
        data = json.loads(raw)
        assert data["confidence"] == 0.62 and data["band"] == "likely"
        assert data["facts"]["shootings"][0]["weapon"] == "rubber"
        action = data["facts"]["border_actions"][0]
        assert action["for"] == "refugees" and "for_" not in action  # the wire name
        assert parse_alert_message(raw) == alert  # a consumer reads back what was sent
