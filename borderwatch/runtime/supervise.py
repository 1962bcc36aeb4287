"""Keeping the live job's children alive: the embedded broker and the stream worker.

The embedded broker keeps everything in memory. When it dies it is started again on the same
port (the clients reconnect by themselves), its topics are created again, and the recent
window is sent again from the article archive: an article accepted before the crash is still
processed, and the delivery ledger turns the alerts already delivered into no-ops. The same
re-drive runs when the job starts, for articles a previous run accepted and never processed.

A worker that exits is restarted with a growing delay; one that keeps dying (a crash loop,
e.g. a bad setting) ends the job with its log tail rather than spinning forever.
"""

from __future__ import annotations

import logging
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import timedelta

from borderwatch.connectors.archive import recent
from borderwatch.connectors.producer import ArticleWriter
from borderwatch.connectors.pump import pump
from borderwatch.core import metrics
from borderwatch.core.backoff import Backoff
from borderwatch.core.errors import BorderwatchError, BrokerError, Codes, Problem
from borderwatch.core.kafka import ensure_topics
from borderwatch.core.models import utcnow
from borderwatch.core.settings import Settings
from borderwatch.runtime.broker import EmbeddedBroker

log = logging.getLogger(__name__)

CRASH_LOOP_RESTARTS = 5  # worker restarts within CRASH_LOOP_S that end the job
CRASH_LOOP_S = 300.0


def _log_archive_problem(problem: Problem) -> None:
    log.error("archive: %s", problem)


def redrive(settings: Settings, window_s: float) -> int:
    """Send the archive's last ``window_s`` seconds to ``articles`` again; returns the count."""
    since = utcnow() - timedelta(seconds=window_s)
    writer = ArticleWriter(settings)  # no archive: these are already in it
    try:
        sent = pump(recent(settings.archive_dir, since), writer, _log_archive_problem).sent
    finally:
        writer.close()
    metrics.REDRIVEN.inc(sent)
    if sent:
        log.warning("re-drove %d articles fetched since %s from the archive", sent,
                    since.isoformat(timespec="seconds"))  # fmt: skip
    return sent


class Supervisor:
    """A thread that checks the broker and the worker every ``check_s`` seconds."""

    def __init__(
        self,
        settings: Settings,
        spawn_worker: Callable[[], subprocess.Popen[bytes]],
        stop_worker: Callable[[subprocess.Popen[bytes]], None],
        worker_failure: Callable[[subprocess.Popen[bytes]], BorderwatchError],
        broker: EmbeddedBroker | None = None,
        check_s: float = 0.5,
        worker_backoff: Backoff | None = None,
    ) -> None:
        self.settings = settings
        self.broker = broker
        self._spawn_worker = spawn_worker
        self._stop_worker = stop_worker
        self._worker_failure = worker_failure
        self.check_s = check_s
        self.worker: subprocess.Popen[bytes] | None = None
        self.failure: BorderwatchError | None = None
        self.broker_restarts = 0
        # Bumped when the embedded broker comes back empty: consumers positioned on the lost
        # topics must start over (the notifier takes a fresh consumer group per generation).
        self.generation = 0
        self.worker_restarts: deque[float] = deque()
        self._broker_backoff = Backoff()
        self._worker_backoff = worker_backoff or Backoff()
        self._broker_retry_at = 0.0
        self._worker_retry_at = 0.0  # 0: no exit seen yet; else when to restart
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="supervisor", daemon=True)

    def start(self) -> Supervisor:
        if self.broker is not None and self.settings.redrive_window_s > 0:
            redrive(self.settings, self.settings.redrive_window_s)
        self.worker = self._spawn_worker()
        self._thread.start()
        return self

    def __enter__(self) -> Supervisor:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout=60)
        if self.worker is not None:
            self._stop_worker(self.worker)

    def _run(self) -> None:
        while not self._stopping.wait(self.check_s) and self.failure is None:
            try:
                self.check()
            except Exception as exc:  # the supervisor must outlive what it supervises
                log.exception("supervisor check failed")
                self.failure = BorderwatchError(Problem.of(Codes.W003, error=exc))

    def check(self) -> None:
        now = time.monotonic()
        if self.broker is not None and not self._broker_alive() and now >= self._broker_retry_at:
            self._restart_broker()
        worker = self.worker
        if worker is not None and worker.poll() is not None and now >= self._worker_retry_at:
            self._restart_worker(worker, now)

    def _broker_alive(self) -> bool:
        proc = self.broker.proc if self.broker is not None else None
        return proc is not None and proc.poll() is None

    def _restart_broker(self) -> None:
        assert self.broker is not None
        proc = self.broker.proc
        code = proc.returncode if proc is not None else None
        log.error("embedded broker exited (code %s); starting it again on %s", code,
                  self.broker.bootstrap)  # fmt: skip
        self.broker.proc = None
        self._kill_worker()
        try:
            self.broker.start()
            ensure_topics(self.settings, recreate=True)
        except BrokerError as exc:
            delay = self._broker_backoff.next()
            log.error("embedded broker did not come back (%s); next try in %.0fs", exc, delay)
            self.broker.stop()
            self._broker_retry_at = time.monotonic() + delay
            return
        self._broker_backoff.reset()
        self.broker_restarts += 1
        self.generation += 1
        metrics.BROKER_RESTARTS.inc()
        if self.settings.redrive_window_s > 0:
            redrive(self.settings, self.settings.redrive_window_s)
        self.worker = self._spawn_worker()

    def _kill_worker(self) -> None:
        """SIGKILL, not SIGTERM: the worker's offsets belong to topics that no longer exist,
        and a drain would commit them into the new broker's empty ones."""
        worker = self.worker
        if worker is not None and worker.poll() is None:
            log.warning("stopping the stream worker (pid %d) until the broker is back", worker.pid)
            worker.kill()
            worker.wait(timeout=30)
        self.worker = None

    def _restart_worker(self, worker: subprocess.Popen[bytes], now: float) -> None:
        while self.worker_restarts and now - self.worker_restarts[0] > CRASH_LOOP_S:
            self.worker_restarts.popleft()
        if not self.worker_restarts:
            self._worker_backoff.reset()
        if len(self.worker_restarts) >= CRASH_LOOP_RESTARTS:
            self.failure = self._worker_failure(worker)
            log.error("stream worker keeps exiting (%d restarts in %.0fs); giving up",
                      len(self.worker_restarts), CRASH_LOOP_S)  # fmt: skip
            return
        if self._worker_retry_at == 0.0:  # first sight of this exit: wait before restarting
            delay = self._worker_backoff.next()
            log.error("stream worker exited with code %s; restarting in %.0fs",
                      worker.returncode, delay)  # fmt: skip
            self._worker_retry_at = now + delay
            return
        self._worker_retry_at = 0.0
        self.worker_restarts.append(now)
        metrics.WORKER_RESTARTS.inc()
        self.worker = self._spawn_worker()
