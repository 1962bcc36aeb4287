"""Whole-pipeline benchmark through the embedded broker; prints one table with ratios.

Run: ``.venv/bin/python -m bench.pipeline [--n 3000] [--rate 50] [--seconds 20]``.
Measured side by side in one run, because these machines are noisy:
- the trivial-copy ceiling: a faust agent copying the same messages topic to topic;
- the pipeline: produce N generated articles (5 % relevant), wait for the end markers;
- latency: produce at a fixed rate, time from produce to the notifier's send call;
- the worker's peak RSS (VmHWM);
- the naive loop: the full spaCy pipeline on every article, no prefilter, in this process.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

from kafka.admin import NewTopic
from rich.console import Console
from rich.table import Table

from borderwatch.connectors.producer import ArticleWriter
from borderwatch.core.kafka import admin, consumer, ensure_topics
from borderwatch.core.models import Alert, Article
from borderwatch.core.settings import Settings
from borderwatch.notifiers.dispatch import Dispatcher, EndTracker, consume_alerts
from borderwatch.notifiers.ledger import Ledger
from borderwatch.runtime import procs
from borderwatch.runtime.broker import EmbeddedBroker
from borderwatch.runtime.cluster import stream_worker
from borderwatch.streams import checked_detector
from tests.support.loadgen import generate
from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parent.parent


def settings_for(bootstrap: str, data: Path, tag: str) -> Settings:
    return Settings(
        kafka_bootstrap=bootstrap, kafka_idempotence=False, topic_prefix=f"{tag}.",
        app_id=f"bench-{tag}", rules_dir=ROOT / "rules", data_dir=data / tag,
        session_timeout_s=6, rules_reload_s=0,
    )  # fmt: skip


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def copy_ceiling(bootstrap: str, data: Path, articles: list[Article]) -> float:
    s = settings_for(bootstrap, data, "copy")
    ensure_topics(s)
    client = admin(s)
    client.create_topics([NewTopic(s.topic("copy"), s.articles_partitions, 1)])
    client.close()
    env = {**os.environ, **s.child_env()}
    proc = procs.spawn([sys.executable, str(ROOT / "bench" / "copy_worker.py")], env=env,
                       log_path=data / "copy.log")  # fmt: skip
    try:
        writer = ArticleWriter(s)
        c = consumer(s, "bench-copy-reader", s.topic("copy"))
        seen = 0

        def count() -> bool:
            nonlocal seen
            seen += sum(len(r) for r in c.poll(timeout_ms=200).values())
            return seen >= target

        target = 1
        writer.send(Article(id="warm", text="warm up"))
        writer.producer.flush()
        assert wait_until(count, timeout=180), "the copy worker never started"
        target = seen + len(articles)
        start = time.monotonic()
        for a in articles:
            writer.send(a)
        writer.producer.flush()
        assert wait_until(count, timeout=600, step=0.0), "copy did not finish"
        elapsed = time.monotonic() - start
        writer.close()
        c.close()
        return len(articles) / elapsed
    finally:
        procs.stop(proc, "copy worker", timeout=20)


def run_pipeline(s: Settings, articles: list[Article], rate: float | None
                 ) -> tuple[float, list[float]]:  # fmt: skip
    """Articles per second to the last end marker, and latencies of the alerts."""
    run_id = uuid.uuid4().hex[:8]
    sent_at: dict[str, float] = {}
    latencies: list[float] = []

    def on_alert(alert: Alert) -> None:
        if alert.article.id in sent_at:
            latencies.append(time.monotonic() - sent_at[alert.article.id])

    end = EndTracker(run_id, s.articles_partitions, s.alerts_partitions)
    dispatcher = Dispatcher([], ledger=Ledger.memory(), on_alert=on_alert, end=end)
    reader = threading.Thread(target=consume_alerts, args=(s, dispatcher, f"bench-{run_id}"),
                              kwargs={"stop": lambda: False}, daemon=True)  # fmt: skip
    reader.start()
    writer = ArticleWriter(s, run_id=run_id)
    if rate is not None:  # let the alerts reader join its group first: not part of latency
        warm = generate(1, relevant_share=1.0, seed=99)[0].model_copy(update={"id": "warm"})
        sent_at[warm.id] = time.monotonic()
        writer.send(warm)
        writer.producer.flush()
        assert wait_until(lambda: bool(latencies), timeout=120), "no alert for the warm-up"
        latencies.clear()
    start = time.monotonic()
    for i, a in enumerate(articles):
        if rate is not None:
            due = start + i / rate
            while time.monotonic() < due:
                time.sleep(min(0.005, due - time.monotonic()))
        sent_at[a.id] = time.monotonic()
        writer.send(a)
        if rate is not None:
            writer.producer.flush()
    writer.finish()
    reader.join(timeout=900)
    elapsed = time.monotonic() - start
    writer.close()
    return len(articles) / elapsed, latencies


def naive_loop(articles: list[Article]) -> float:
    from borderwatch.core.settings import load_settings

    det = checked_detector(load_settings(None), ROOT / "rules", examples=False)
    start = time.monotonic()
    for a in articles:
        det.alerts_many([a], use_prefilter=False, batch_size=1)
    return len(articles) / (time.monotonic() - start)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=3000, help="articles for the throughput runs")
    parser.add_argument("--rate", type=float, default=50.0, help="articles/s for latency")
    parser.add_argument("--seconds", type=float, default=20.0, help="latency run length")
    parser.add_argument("--naive", type=int, default=40, help="articles for the naive loop")
    parser.add_argument("--workers", type=int, default=1, help="faust workers sharing partitions")
    args = parser.parse_args()
    articles = generate(args.n)
    latency_articles = [
        a.model_copy(update={"id": "lat-" + a.id})
        for a in generate(int(args.rate * args.seconds), seed=11)
    ]
    data = Path(tempfile.mkdtemp(prefix="bw-bench-"))
    out = Console()
    with EmbeddedBroker(log_path=data / "broker.log") as broker:
        ceiling = copy_ceiling(broker.bootstrap, data, articles)
        s = settings_for(broker.bootstrap, data, "pipe")
        ensure_topics(s)
        with ExitStack() as stack:
            workers = [stack.enter_context(stream_worker(s)) for _ in range(args.workers)]
            run_pipeline(s, generate(40, seed=3), None)  # warm-up: join, load spaCy
            throughput, _ = run_pipeline(s, articles, None)
            _, latencies = run_pipeline(s, latency_articles, args.rate)
            rss = max(peak_rss_mb(w.pid) for w in workers)
    naive = naive_loop(generate(args.naive, seed=5))
    table = Table(title=f"pipeline benchmark ({args.n} articles, 5 % relevant, 400-800 words, "
                  f"{args.workers} worker(s))")  # fmt: skip
    table.add_column("measure")
    table.add_column("value", justify="right")
    rows = [
        ("trivial faust copy ceiling, articles/s", f"{ceiling:.0f}"),
        ("whole pipeline, articles/s", f"{throughput:.0f}"),
        ("naive loop (spaCy on every article), articles/s", f"{naive:.1f}"),
        ("pipeline / copy ceiling", f"{throughput / ceiling:.2f}x (target >= 0.9x)"),
        ("pipeline / naive loop", f"{throughput / naive:.0f}x (target >= 200x)"),
        (f"latency at {args.rate:.0f}/s, alerts measured", str(len(latencies))),
        ("latency p50 / p95 / p99, ms",
         f"{pct(latencies, .5):.0f} / {pct(latencies, .95):.0f} / {pct(latencies, .99):.0f}"),
        ("worker peak RSS (largest worker), MB", f"{rss:.0f} (target <= 600)"),
        ("mean latency, ms", f"{statistics.fmean(latencies) * 1000:.0f}" if latencies else "-"),
    ]  # fmt: skip
    for name, value in rows:
        table.add_row(name, value)
    out.print(table)


if __name__ == "__main__":
    main()
