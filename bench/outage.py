"""A Slack outage, with and without the per-sink breaker, side by side in one run.

Run: ``.venv/bin/python -m bench.outage [--alerts 20] [--outage 30]``. The real slack_sdk
client (5 retries) talks to the tests' fake Slack, which answers 503 for ``--outage`` seconds
from the first call. Alerts arrive one per 0.5 s while it is down; the notifier's retry sweep
runs every 2 s (RETRY_FAILED_S=2). Printed per mode: how long the consumer thread was busy
handling the arrivals (time it could not poll Kafka), Slack calls made during the outage, and
how long after the outage ended every alert was delivered.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from pydantic import SecretStr
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent

from borderwatch.notifiers.dispatch import Breaker, Dispatcher, retry_failed  # noqa: E402
from borderwatch.notifiers.ledger import DeliveryStatus, Ledger  # noqa: E402
from borderwatch.notifiers.sinks.slack.notifier import SlackNotifier  # noqa: E402
from borderwatch.notifiers.sinks.slack.routing import ChannelRateLimiter  # noqa: E402
from tests.support.factories import make_alert  # noqa: E402
from tests.support.fakeslack import start_fake_slack  # noqa: E402


def run(breaker_s: float, alerts: int, outage_s: float) -> dict[str, float]:
    fake = start_fake_slack()
    fake.outage_after_script(503, outage_s)
    with tempfile.TemporaryDirectory() as tmp:
        ledger = Ledger(Path(tmp) / "ledger.db")
        slack = SlackNotifier(SecretStr("xoxb-bench"), "#ops", fake.base_url,
                              limiter=ChannelRateLimiter(1000))  # fmt: skip
        dispatcher = Dispatcher([slack], ledger=ledger, breaker=Breaker(breaker_s))
        items = [make_alert().model_copy(update={"alert_id": f"b{i}"}) for i in range(alerts)]
        busy = 0.0
        next_sweep = time.monotonic() + 2
        pending = list(items)
        arrive_at = time.monotonic()

        def delivered() -> int:
            records = (ledger.get(a.alert_id, "slack") for a in items)
            return sum(1 for d in records if d and d.status == DeliveryStatus.DELIVERED)

        while delivered() < alerts:
            now = time.monotonic()
            if pending and now >= arrive_at:
                t = time.monotonic()
                dispatcher.handle(pending.pop(0).to_bytes(), 0)
                busy += time.monotonic() - t
                arrive_at = now + 0.5
            if now >= next_sweep:
                t = time.monotonic()
                retry_failed(dispatcher, time.time(), base_delay_s=2)
                busy += time.monotonic() - t
                next_sweep = time.monotonic() + 2
            time.sleep(0.05)
        done = time.monotonic()
        assert fake.outage_until is not None
        calls_in_outage = len([c for c in fake.posts() if not c.ts])
        fake.server.shutdown()
        fake.server.server_close()
        return {
            "busy_s": busy,
            "calls": calls_in_outage,
            "after_s": max(0.0, done - fake.outage_until),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=20)
    parser.add_argument("--outage", type=float, default=30.0)
    args = parser.parse_args()
    table = Table(title=f"{args.alerts} alerts during a {args.outage:.0f} s Slack outage (503)")
    for col in (
        "breaker",
        "consumer busy (s)",
        "Slack calls in outage",
        "all delivered after end (s)",
    ):
        table.add_column(col, justify="right")
    results = {}
    for breaker_s in (0.0, 10.0):
        r = run(breaker_s, args.alerts, args.outage)
        results[breaker_s] = r
        label = "off" if breaker_s == 0 else f"{breaker_s:.0f} s"
        table.add_row(label, f"{r['busy_s']:.1f}", f"{r['calls']:.0f}", f"{r['after_s']:.1f}")
    Console().print(table)
    off, on = results[0.0], results[10.0]
    print(f"busy ratio off/on: {off['busy_s'] / max(on['busy_s'], 1e-3):.1f}x; "
          f"calls ratio: {off['calls'] / max(on['calls'], 1):.1f}x")  # fmt: skip


if __name__ == "__main__":
    main()
