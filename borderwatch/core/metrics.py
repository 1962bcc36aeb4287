"""Prometheus metrics, and /healthz and /readyz, on 127.0.0.1 unless configured otherwise.

One small HTTP server per process (worker, notifier, poller): ``/metrics`` in the Prometheus
text format, ``/healthz`` (the process is alive and serving), ``/readyz`` (it has done its
first piece of real work: joined its consumer group, or polled once).
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

ARTICLES_IN = Counter("borderwatch_articles_in_total", "Articles a worker received.")
PREFILTERED = Counter(
    "borderwatch_articles_prefiltered_total", "Articles the prefilter kept away from spaCy."
)
UNREAD_LANGUAGE = Counter(
    "borderwatch_articles_unread_language_total",
    "Articles in a language no lexicon reads (declared or detected), by language.",
    ["language"],
)
MATCHED = Counter("borderwatch_articles_matched_total", "Articles that produced an alert.")
ALERTS = Counter("borderwatch_alerts_total", "Alerts produced, by category.", ["category"])
DEAD_LETTERS = Counter("borderwatch_dead_letters_total", "Records sent to a DLQ.", ["topic"])
DELIVERIES = Counter(
    "borderwatch_deliveries_total", "Delivery attempts by sink and result.", ["sink", "result"]
)
FEED_ERRORS = Counter("borderwatch_feed_errors_total", "Failed feed fetches.", ["code"])
FEED_ITEMS = Counter("borderwatch_feed_items_total", "New feed items sent on.")
BROKER_RESTARTS = Counter(
    "borderwatch_embedded_broker_restarts_total", "Times the embedded broker was started again."
)
WORKER_RESTARTS = Counter("borderwatch_worker_restarts_total", "Times a dead worker was restarted.")
REDRIVEN = Counter(
    "borderwatch_redriven_articles_total", "Articles sent again from the archive after a restart."
)
CONSUMER_LAG = Gauge(
    "borderwatch_consumer_lag",
    "Records behind the partition's end (high watermark) for this process's consumer. On the "
    "embedded broker the end offset is wrong after multi-record batches: trust it on Kafka.",
    ["group", "topic", "partition"],
)
LATENCY = Histogram(
    "borderwatch_end_to_end_seconds",
    "From an article's fetch to its alert's delivery.",
    buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800),
)

_ready = threading.Event()


def record_lag(
    group: str, topic: str, partition: int, end: int | None, position: int | None
) -> None:
    """Set the lag gauge once both offsets are known (never negative)."""
    if end is None or position is None:
        return
    CONSUMER_LAG.labels(group, topic, str(partition)).set(max(0, end - position))


def mark_ready() -> None:
    _ready.set()


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, ctype: str = "text/plain; charset=utf-8") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        if path == "/metrics":
            self._send(200, generate_latest(), CONTENT_TYPE_LATEST)
        elif path == "/healthz":
            self._send(200, b"ok\n")
        elif path == "/readyz":
            ready = _ready.is_set()
            self._send(200 if ready else 503, b"ready\n" if ready else b"starting\n")
        else:
            self._send(404, b"not found\n")


def serve(host: str, port: int) -> ThreadingHTTPServer | None:
    """Start the metrics server in a daemon thread (port 0 or below: off)."""
    if port <= 0:
        return None
    server = ThreadingHTTPServer((host, port), _Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    return server
