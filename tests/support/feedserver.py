"""A loopback HTTP server that misbehaves on request: the hostile web, for feed tests."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
ETAG = '"v1"'


@dataclass
class FeedServer:
    base: str
    hits: dict[str, int] = field(default_factory=dict)
    version: dict[str, int] = field(default_factory=dict)  # /changing serves this revision
    # /served/<name>: (status, headers, body) set by a test; /raw/<name>: bytes written as
    # the whole response (a broken status line, a body cut short), then the socket closed.
    served: dict[str, tuple[int, dict[str, str], bytes]] = field(default_factory=dict)
    raw: dict[str, bytes] = field(default_factory=dict)


@contextmanager
def feed_server() -> Iterator[FeedServer]:
    state = FeedServer(base="")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _send(self, body: bytes, status: int = 200, **headers: str) -> None:
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k.replace("_", "-"), v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            state.hits[path] = state.hits.get(path, 0) + 1
            name = path.strip("/")
            if name.startswith("served/") and name[7:] in state.served:
                status, headers, body = state.served[name[7:]]
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            elif name.startswith("raw/") and name[4:] in state.raw:
                self.wfile.write(state.raw[name[4:]])
                self.close_connection = True
            elif name in ("rss2", "atom", "rdf", "malformed", "bomb"):
                self._send((FIXTURES / f"{name}.xml").read_bytes(), Content_Type="application/xml")
            elif name == "gzip":
                body = gzip.compress((FIXTURES / "rss2.xml").read_bytes())
                self._send(body, Content_Encoding="gzip", Content_Type="application/xml")
            elif name == "etag":
                if self.headers.get("If-None-Match") == ETAG:
                    self._send(b"", 304, ETag=ETAG)
                else:
                    self._send((FIXTURES / "rss2.xml").read_bytes(), ETag=ETAG)
            elif name == "loop":
                self._send(b"", 302, Location="/loop")
            elif name == "redirect":
                self._send(b"", 301, Location="/rss2")
            elif name == "slow":
                time.sleep(3)
                self._send(b"<rss/>")
            elif name == "huge":
                self.send_response(200)
                self.end_headers()  # no length: an endless body, streamed
                chunk = b"<!-- " + b"x" * 65536 + b" -->"
                try:
                    for _ in range(400):  # about 26 MB if nobody stops reading
                        self.wfile.write(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    pass
            elif name == "gzipbomb":
                body = gzip.compress(b"<rss>" + b" " * (30 * 1024 * 1024) + b"</rss>")
                self._send(body, Content_Encoding="gzip")
            elif name == "guids":  # the same story under a new GUID on every fetch
                n = state.hits[path]
                xml = (f'<rss version="2.0"><channel><title>G</title><item><guid>g-{n}</guid>'
                       "<title>Same story</title><link>https://example.org/same?utm_medium=rss"
                       "</link><description>Guards closed the border.</description></item>"
                       "</channel></rss>")  # fmt: skip
                self._send(xml.encode())
            elif name == "summary":
                xml = ('<rss version="2.0"><channel><title>S</title><item><guid>s-1</guid>'
                       f"<title>Guards fire</title><link>{state.base}/page</link>"
                       "<description>Guards fired.</description></item></channel></rss>")  # fmt: skip
                self._send(xml.encode())
            elif name == "page":
                page = ("<html><body><nav>Home | World | Sport</nav><article><h1>Guards fire"
                        "</h1><p>Border guards opened fire on a group of migrants who tried to "
                        "cross the river near the frontier crossing on Sunday night, wounding "
                        "three of them, police and aid workers said on Monday.</p><p>The "
                        "interior ministry said it had opened an investigation.</p></article>"
                        "<footer>Contact us</footer></body></html>")  # fmt: skip
                self._send(page.encode(), Content_Type="text/html")
            elif name == "changing":
                rev = state.version.get("changing", 1)
                xml = (f'<rss version="2.0"><channel><title>C</title><item><guid>c-1</guid>'
                       f"<title>Toll rises</title><description>At least {20 + rev} migrants "
                       f"were killed at the border.</description></item></channel></rss>")  # fmt: skip
                self._send(xml.encode())
            else:
                self._send(b"not found", 404)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
