"""Whole-pipeline benchmark through the embedded broker; prints one table with ratios.

Run: ``.venv/bin/python -m bench.pipeline [--n 3000] [--rate 50] [--seconds 20]
[--replay 100000]`` (``--n 300 --seconds 5 --replay 2000`` for a quick check).
Measured side by side in one run, because these machines are noisy:
- the trivial-copy ceiling: a faust agent copying the same messages topic to topic;
- the pipeline on the kind mix (5 % relevant, the rest plain) and on the realistic mix
  (5 % relevant, 15 % irrelevant that pass the prefilter): produce N articles, wait for the
  end markers;
- latency: produce the realistic mix at a fixed rate, time from produce to the notifier's
  send call;
- the worker's peak RSS (VmHWM);
- a replay of many generated articles from an archive file, through two workers;
- in this process: the naive loop (the full spaCy pipeline on every article, no prefilter),
  the share of articles that pass the prefilter, and what each stage costs per passing
  article.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from pathlib import Path

from kafka.admin import NewTopic
from rich.console import Console
from rich.table import Table

from borderwatch.connectors.files import Archive
from borderwatch.connectors.producer import ArticleWriter
from borderwatch.connectors.pump import pump
from borderwatch.core.kafka import admin, consumer, ensure_topics
from borderwatch.core.models import Alert, Article
from borderwatch.core.settings import Settings, load_settings
from borderwatch.notifiers.dispatch import Dispatcher, EndTracker, consume_alerts
from borderwatch.notifiers.ledger import Ledger
from borderwatch.runtime import procs
from borderwatch.runtime.broker import EmbeddedBroker
from borderwatch.runtime.cluster import stream_worker
from borderwatch.streams import checked_detector
from borderwatch.streams.detect import Detector
from borderwatch.streams.scope import STAGES, StageClock
from tests.support.loadgen import generate, realistic, stream
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


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
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


def paced(articles: Iterable[Article], rate: float) -> Iterable[Article]:
    """At most ``rate`` per second; never sleeps a negative time, however late it runs."""
    start = time.monotonic()
    for i, a in enumerate(articles):
        due = start + i / rate
        while (left := due - time.monotonic()) > 0:
            time.sleep(min(0.005, left))
        yield a


Workers = list[subprocess.Popen[bytes]]


def check_alive(workers: Workers) -> None:
    """A worker that died (a bad setting, a crash) fails the bench at once, with its log."""
    for w in workers:
        if w.poll() is not None:
            raise SystemExit(f"worker {w.pid} exited with {w.returncode}: see its log, "
                             f"<data>/<tag>/logs/worker-*.log")  # fmt: skip


def run_pipeline(
    s: Settings,
    articles: Iterable[Article] | Callable[[ArticleWriter, Callable[[Article], None]], int],
    rate: float | None,
    workers: Workers,
) -> tuple[float, list[float], float]:
    """Articles per second to the last end marker, the alerts' latencies, and the seconds.

    ``articles`` is a list, or a function that sends them itself (a replay's pump) and
    returns how many it sent, calling the given hook just before each send."""
    run_id = uuid.uuid4().hex[:8]
    sent_at: dict[str, float] = {}
    latencies: list[float] = []

    def on_alert(alert: Alert) -> None:
        at = sent_at.get(alert.article.id)
        if at is not None:
            latencies.append(time.monotonic() - at)

    def mark(a: Article) -> None:
        sent_at[a.id] = time.monotonic()

    end = EndTracker(run_id, s.articles_partitions, s.alerts_partitions)
    dispatcher = Dispatcher([], ledger=Ledger.memory(), on_alert=on_alert, end=end)
    reader = threading.Thread(target=consume_alerts, args=(s, dispatcher, f"bench-{run_id}"),
                              kwargs={"stop": lambda: False}, daemon=True)  # fmt: skip
    reader.start()
    writer = ArticleWriter(s, run_id=run_id)
    if rate is not None:  # let the alerts reader join its group first: not part of latency
        warm = generate(1, relevant_share=1.0, seed=99)[0].model_copy(update={"id": "warm"})
        mark(warm)
        writer.send(warm)
        writer.producer.flush()
        assert wait_until(lambda: bool(latencies) or bool(check_alive(workers)), timeout=120), (
            "no alert for the warm-up"
        )
        latencies.clear()
    start = time.monotonic()
    if callable(articles):
        n = articles(writer, mark)
    else:
        n = 0
        for a in paced(articles, rate) if rate is not None else articles:
            mark(a)
            writer.send(a)
            n += 1
            if rate is not None:
                writer.producer.flush()
    writer.finish()
    deadline = time.monotonic() + 1800
    while reader.is_alive() and time.monotonic() < deadline:
        check_alive(workers)
        reader.join(timeout=1.0)
    elapsed = time.monotonic() - start
    writer.close()
    return n / elapsed, latencies, elapsed


def write_archive(path: Path, n: int, decoy_share: float) -> None:
    """``n`` generated articles as a gzip JSONL archive, written as they are generated."""
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as fh:
        for a in stream(n, decoy_share=decoy_share, seed=23):
            rec = a.model_dump(mode="json", exclude_none=True, exclude={"type", "fetched"})
            fh.write(json.dumps(rec) + "\n")


def replay_archive(s: Settings, path: Path, workers: int, broker_pid: int) -> tuple[float, float]:
    """Seconds to replay the archive through ``workers`` workers, and the broker's RSS after."""
    ensure_topics(s)
    with ExitStack() as stack:
        procs_ = [stack.enter_context(stream_worker(s)) for _ in range(workers)]
        run_pipeline(s, generate(20, seed=4), None, procs_)  # warm-up: join the group, load spaCy

        def send(writer: ArticleWriter, mark: Callable[[Article], None]) -> int:
            class Marking:
                def send(self, a: Article) -> None:
                    mark(a)
                    writer.send(a)

            counts = pump(Archive([path]), Marking(), lambda p: print("problem:", p.message))
            return counts.sent

        _, _, elapsed = run_pipeline(s, send, None, procs_)
    return elapsed, rss_mb(broker_pid)


def naive_loop(det: Detector, articles: list[Article]) -> float:
    start = time.monotonic()
    for a in articles:
        det.alerts_many([a], use_prefilter=False, batch_size=1)
    return len(articles) / (time.monotonic() - start)


def stage_costs(det: Detector, articles: list[Article]) -> StageClock:
    """The detector's own stage clock over the articles, in batches of 16."""
    clock = det.clock = StageClock()
    try:
        for i in range(0, len(articles), 16):
            det.alerts_many(articles[i : i + 16])
    finally:
        det.clock = None
    return clock


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
    parser.add_argument("--stages", type=int, default=400, help="articles for stage costs")
    parser.add_argument("--workers", type=int, default=1, help="faust workers sharing partitions")
    parser.add_argument("--replay", type=int, default=100_000, help="articles replayed; 0: none")
    parser.add_argument("--replay-workers", type=int, default=2)
    parser.add_argument("--replay-mix", choices=("kind", "realistic"), default="kind")
    args = parser.parse_args()
    kind = generate(args.n)
    real = [a.model_copy(update={"id": "real-" + a.id}) for a in realistic(args.n, seed=8)]
    latency_articles = [
        a.model_copy(update={"id": "lat-" + a.id})
        for a in realistic(int(args.rate * args.seconds), seed=11)
    ]
    data = Path(tempfile.mkdtemp(prefix="bw-bench-"))
    out = Console(width=130)
    out.print(f"data (logs, archive): {data}")
    archive = data / "replay.jsonl.gz"
    if args.replay:
        t0 = time.monotonic()
        write_archive(archive, args.replay, 0.15 if args.replay_mix == "realistic" else 0.0)
        out.print(f"wrote {args.replay} articles to {archive} in {time.monotonic() - t0:.0f} s")
    with EmbeddedBroker(log_path=data / "broker.log") as broker:
        ceiling = copy_ceiling(broker.bootstrap, data, kind)
        s = settings_for(broker.bootstrap, data, "pipe")
        ensure_topics(s)
        with ExitStack() as stack:
            workers = [stack.enter_context(stream_worker(s)) for _ in range(args.workers)]
            run_pipeline(s, generate(40, seed=3), None, workers)  # warm-up: join, load spaCy
            kind_rate, _, _ = run_pipeline(s, kind, None, workers)
            real_rate, _, _ = run_pipeline(s, real, None, workers)
            _, latencies, _ = run_pipeline(s, latency_articles, args.rate, workers)
            rss = max(peak_rss_mb(w.pid) for w in workers)
        replay_s = broker_mb = float("nan")
        if args.replay:
            assert broker.proc is not None
            rs = settings_for(broker.bootstrap, data, "replay")
            replay_s, broker_mb = replay_archive(rs, archive, args.replay_workers, broker.proc.pid)
    det = checked_detector(load_settings(None), ROOT / "rules", examples=False)
    naive = naive_loop(det, generate(args.naive, seed=5))
    kc = stage_costs(det, generate(args.stages, seed=12))
    rc = stage_costs(det, realistic(args.stages, seed=12))

    def per_passing(c: StageClock) -> dict[str, float]:
        """ms per passing article by stage; the prefilter (with the language guess) is one
        article's own, as every article pays it."""
        out = {k: v / max(1, c.passing) * 1000 for k, v in c.seconds.items()}
        out["prefilter"] = c.seconds["prefilter"] / max(1, c.articles) * 1000
        return out

    kind_cost, real_cost = per_passing(kc), per_passing(rc)

    def parse_bound(c: StageClock, cost: dict[str, float]) -> float:
        """The most a mix can reach of the copy ceiling while one worker's spaCy parses its
        passing articles, even if the parse cost nothing else and ran wholly beside faust
        (it runs in a thread of its own): faust's time per record over the parse's time per
        article of the mix, at most 1."""
        parse_ms = c.passing / max(1, c.articles) * cost["parse"]
        return min(1.0, (1000 / ceiling) / parse_ms) if parse_ms else 1.0

    table = Table(title=f"pipeline benchmark ({args.n} articles of 400-800 words per mix, "
                  f"{args.workers} worker(s); stage costs in this process)")  # fmt: skip
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("target")
    rows = [
        ("trivial faust copy ceiling, articles/s", f"{ceiling:.0f}", ""),
        ("pipeline, kind mix (5 % relevant), articles/s", f"{kind_rate:.0f}", ""),
        ("pipeline, realistic mix (5 % relevant, 15 % decoys), articles/s",
         f"{real_rate:.0f}", ""),
        ("naive loop (spaCy on every article), articles/s", f"{naive:.1f}", ""),
        ("kind mix / copy ceiling", f"{kind_rate / ceiling:.2f}x", ">= 0.9x"),
        ("realistic mix / copy ceiling", f"{real_rate / ceiling:.2f}x", ">= 0.5x"),
        ("kind mix / naive loop", f"{kind_rate / naive:.0f}x", ">= 200x"),
        ("  bound: copy ceiling / naive loop (a pipeline costing nothing)",
         f"{ceiling / naive:.0f}x", ""),
        ("  bound: kind / realistic mix / copy ceiling, the parse beside faust",
         f"{parse_bound(kc, kind_cost):.2f}x / {parse_bound(rc, real_cost):.2f}x", ""),
        ("share passing the prefilter, kind / realistic",
         f"{kc.passing / kc.articles:.0%} / {rc.passing / rc.articles:.0%}", ""),
        ("sentences parsed, of articles with a candidate, kind / realistic",
         f"{kc.parsed / max(1, kc.sentences):.0%} / {rc.parsed / max(1, rc.sentences):.0%}",
         ""),
        *((f"  ms per passing article: {k}, kind / realistic",
           f"{kind_cost[k]:.2f} / {real_cost[k]:.2f}", "") for k in STAGES),
        ("  (the prefilter and language guess: every article's own cost)", "", ""),
        ("ms per passing article, all stages, kind / realistic",
         f"{sum(kind_cost.values()):.1f} / {sum(real_cost.values()):.1f}", "<= 20"),
        (f"latency p50 / p95 / p99 at {args.rate:.0f}/s, realistic mix "
         f"({len(latencies)} alerts), ms",
         f"{pct(latencies, .5):.0f} / {pct(latencies, .95):.0f} / {pct(latencies, .99):.0f}",
         "p99 <= 500"),
        ("worker peak RSS (largest worker), MB", f"{rss:.0f}", "<= 600"),
        (f"replay of {args.replay} archived articles ({args.replay_mix} mix), "
         f"{args.replay_workers} workers, s", f"{replay_s:.0f}", "<= 120"),
        ("embedded broker RSS after the replay, MB", f"{broker_mb:.0f}", ""),
    ]  # fmt: skip
    for row in rows:
        table.add_row(*row)
    out.print(table)


if __name__ == "__main__":
    main()
