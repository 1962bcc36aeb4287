"""The capped fetch's own promises beyond the feed tests: two distinct timeouts, and the
request going to the address that was checked under the name that was asked for."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from borderwatch.connectors.http import FetchError, FetchPolicy, check_url, fetch


@contextmanager
def listener(backlog: int) -> Iterator[socket.socket]:
    """A socket that listens and never accepts: the kernel still completes the handshake for
    up to ``backlog`` connections, which then never hear an answer."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(backlog)
    try:
        yield sock
    finally:
        sock.close()


def test_a_server_that_accepts_and_never_answers_hits_the_read_timeout() -> None:
    policy = FetchPolicy(allow=("127.0.0.1",), connect_timeout_s=30.0, read_timeout_s=0.3)
    with listener(8) as sock, pytest.raises(FetchError) as info:
        fetch(f"http://127.0.0.1:{sock.getsockname()[1]}/feed", policy)
    assert info.value.code == "F015" and "read timed out after 0.3s" in str(info.value)
    assert isinstance(info.value.__cause__, httpx.ReadTimeout)


def test_a_server_that_never_completes_the_handshake_hits_the_connect_timeout() -> None:
    policy = FetchPolicy(allow=("127.0.0.1",), connect_timeout_s=0.3, read_timeout_s=30.0)
    with listener(0) as sock, ExitStack() as stack:
        port = sock.getsockname()[1]
        for _ in range(8):  # fill the accept queue: later handshakes get no answer at all
            filler = stack.enter_context(socket.socket())
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
        with pytest.raises(FetchError) as info:
            fetch(f"http://127.0.0.1:{port}/feed", policy)
    assert info.value.code == "F015" and "connect timed out after 0.3s" in str(info.value)
    assert isinstance(info.value.__cause__, httpx.ConnectTimeout)


@pytest.fixture()
def echo_host() -> Iterator[tuple[int, list[str]]]:
    """Answers every GET with a tiny feed and records the Host header it was sent."""
    hosts: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            hosts.append(self.headers.get("Host", ""))
            body = b"<rss version='2.0'><channel><title>t</title></channel></rss>"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1], hosts
    finally:
        server.shutdown()
        server.server_close()


def test_the_checked_address_is_used_under_the_asked_name(
    echo_host: tuple[int, list[str]],
) -> None:
    port, hosts = echo_host
    policy = FetchPolicy(allow=("localhost",))
    assert "127.0.0.1" in check_url(f"http://localhost:{port}/", policy)
    result = fetch(f"http://localhost:{port}/rss", policy)
    assert result.status == 200 and result.url == f"http://localhost:{port}/rss"
    assert hosts == [f"localhost:{port}"]  # virtual hosting still sees the name


def test_an_allow_list_by_name_does_not_allow_other_names() -> None:
    with pytest.raises(FetchError) as info:
        check_url("http://127.0.0.1:9/", FetchPolicy(allow=("localhost",)))
    assert info.value.code == "F012"
