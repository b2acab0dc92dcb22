"""Scale benchmark: ingest throughput by worker processes, and the beat tick's cost by
number of sources, on a private PostgreSQL cluster + redis-server (bench/cluster.py).

    .venv/bin/python bench/scale.py                      # 5,000 sources, 1/2/4 workers
    .venv/bin/python bench/scale.py --sources 500 --tick-sizes 1000,5000

1. Ingest: `--sources` loopback feeds (ThreadingHTTPServer, `--entries` items each) are
   enqueued as `workers.poll_source` tasks, then one `celery worker` with 1, 2 and 4
   processes starts; the clock runs from its "ready" until every source has been polled.
   Prints entries/s per run and the ratio to one process (goal: 2 processes ≥ 1.7×).
2. Tick: `--due` sources due among 1,000 / 5,000 / 20,000; times the real tick task
   (`workers.poll_due_sources`: claim due sources through `ix_sources_due`, enqueue them
   in `workers.poll_sources` batches) in this process. Goal: flat within 2× from 1,000 to 20,000.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psutil  # noqa: E402
import redis  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bench.cluster import Deployment, FeedServer  # noqa: E402
from models.base import utcnow  # noqa: E402
from models.db import session_scope  # noqa: E402


def reset(deployment: Deployment) -> None:
    with session_scope(deployment.database) as session:
        session.execute(text("TRUNCATE article_tags, articles, tags, sources "
                             "RESTART IDENTITY CASCADE"))
    redis.Redis.from_url(deployment.redis.url).flushdb()


def cpu_seconds(deployment: Deployment, worker_pid: int) -> dict[str, float]:
    """CPU time used so far by each party: worker processes, PostgreSQL, Redis, and this
    process (the feed server and the polling of progress)."""
    def tree(pid: int, *, with_children: bool = True) -> float:
        try:
            root = psutil.Process(pid)
            total = 0.0
            family = root.children(recursive=True) if with_children else []
            for process in [root, *family]:
                times = process.cpu_times()
                total += times.user + times.system
            return total
        except psutil.NoSuchProcess:
            return 0.0

    assert deployment.postgres is not None
    postmaster = int((deployment.postgres.data / "postmaster.pid").read_text().split()[0])
    redis_pid = deployment.redis.process.pid if deployment.redis.process else 0
    machine = psutil.cpu_times()
    return {"machine": machine.user + machine.system + machine.nice + machine.irq
            + machine.softirq,
            "workers": tree(worker_pid), "postgres": tree(postmaster),
            "redis": tree(redis_pid), "bench": tree(os.getpid(), with_children=False)}


def ingest(deployment: Deployment, feeds: FeedServer, base_url: str, *, sources: int,
           processes: int, timeout_s: float) -> dict[str, float]:
    from workers.celery_app import app

    reset(deployment)
    ids = deployment.seed_sources(base_url, sources)
    for source_id in ids:
        app.send_task("workers.poll_source", args=[source_id])
    worker = deployment.start_worker(concurrency=processes, queues="polls")
    assert worker.process is not None
    cpu_before = cpu_seconds(deployment, worker.process.pid)
    started = time.monotonic()
    deadline = started + timeout_s
    polled = 0
    while time.monotonic() < deadline:
        polled = deployment.count_polled()
        if polled >= sources:
            break
        time.sleep(0.25)
    elapsed = time.monotonic() - started
    cpu = {name: used - cpu_before[name]
           for name, used in cpu_seconds(deployment, worker.process.pid).items()}
    articles = deployment.count_articles()
    worker.stop()
    deployment.processes.remove(worker)
    return {"processes": processes, "sources": polled, "articles": articles,
            "seconds": elapsed, "entries_per_s": articles / elapsed,
            "polls_per_s": polled / elapsed, "duplicates": deployment.duplicate_articles(),
            "cpu_ms_per_poll": {name: used * 1000 / max(polled, 1) for name, used in cpu.items()
                                if name != "machine"},
            "cpu_busy": sum(used for name, used in cpu.items() if name != "machine") / elapsed,
            "machine_busy": cpu["machine"] / elapsed}


def tick_cost(deployment: Deployment, *, total: int, due: int, repeats: int) -> dict[str, float]:
    from sqlalchemy import update

    from hopper.settings import load_settings
    from models.sources import Source
    from workers.ingest.steps.store import claim_due_sources
    from workers.tasks import SOURCES_PER_TASK, poll_due_sources

    reset(deployment)
    ids = deployment.seed_sources("http://127.0.0.1:9/never", total, due=0)
    due_ids = ids[:: max(1, total // due)][:due]   # spread over the table, not its head
    broker = redis.Redis.from_url(deployment.redis.url)
    with deployment.database.engine.connect() as connection:
        connection.execute(text("ANALYZE sources"))
        connection.commit()
    def make_due() -> None:
        with session_scope(deployment.database) as session:
            session.execute(update(Source).where(Source.id.in_(due_ids))
                            .values(next_poll_at=utcnow()))

    timings, claims = [], []
    limits = load_settings().limits
    for _ in range(repeats):
        make_due()
        started = time.perf_counter()
        poll_due_sources()          # the whole tick: claim, then send the batched tasks
        timings.append(time.perf_counter() - started)
        enqueued = broker.llen("polls")
        broker.delete("polls")
        assert enqueued == -(-due // SOURCES_PER_TASK), (enqueued, due)
        make_due()
        started = time.perf_counter()
        claimed = claim_due_sources(deployment.database, now=utcnow(), limits=limits,
                                    limit=10_000)   # the database part alone
        claims.append(time.perf_counter() - started)
        assert len(claimed) == due, (len(claimed), due)
    return {"sources": total, "due": due, "median_ms": statistics.median(timings) * 1000,
            "claim_ms": statistics.median(claims) * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", type=int, default=5000)
    parser.add_argument("--entries", type=int, default=10, help="items per feed")
    parser.add_argument("--processes", default="1,2,4")
    parser.add_argument("--tick-sizes", default="1000,5000,20000")
    parser.add_argument("--due", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--skip-ingest", action="store_true")
    parser.add_argument("--skip-tick", action="store_true")
    args = parser.parse_args()

    deployment = Deployment()
    # This process sends tasks and runs the tick: point its settings at the deployment
    # before the Celery app and the worker runtime are first built.
    os.environ.update(deployment.env())
    try:
        if not args.skip_ingest:
            feeds = FeedServer(entries=args.entries)
            with feeds.running() as base_url:
                runs = [ingest(deployment, feeds, base_url, sources=args.sources,
                               processes=int(n), timeout_s=args.timeout)
                        for n in args.processes.split(",")]
            one = runs[0]["entries_per_s"]
            print(f"\ningest: {args.sources} sources × {args.entries} entries, "
                  "PostgreSQL + Redis, loopback feeds")
            print(f"{'processes':>9} {'polled':>7} {'articles':>9} {'seconds':>8} "
                  f"{'entries/s':>10} {'polls/s':>8} {'× one':>6} {'dupes':>6}")
            for run in runs:
                print(f"{run['processes']:>9} {run['sources']:>7} {run['articles']:>9} "
                      f"{run['seconds']:>8.1f} {run['entries_per_s']:>10.0f} "
                      f"{run['polls_per_s']:>8.1f} {run['entries_per_s'] / one:>6.2f} "
                      f"{run['duplicates']:>6}")
            print("\nCPU per poll (ms) and cores kept busy by Hopper's processes:")
            for run in runs:
                shares = "  ".join(f"{name} {value:.1f}"
                                   for name, value in run["cpu_ms_per_poll"].items())
                print(f"  {run['processes']} processes: {shares}  → Hopper kept "
                      f"{run['cpu_busy']:.2f} cores busy; the whole machine "
                      f"{run['machine_busy']:.2f} of {os.cpu_count()}")
        if not args.skip_tick:
            ticks = [tick_cost(deployment, total=int(n), due=args.due, repeats=args.repeats)
                     for n in args.tick_sizes.split(",")]
            print(f"\nbeat tick: {args.due} due sources among N (median of {args.repeats})")
            print(f"{'sources':>8} {'due':>5} {'tick ms':>8} {'× first':>8} "
                  f"{'claim ms':>9} {'× first':>8}")
            for tick in ticks:
                print(f"{tick['sources']:>8} {tick['due']:>5} {tick['median_ms']:>8.1f} "
                      f"{tick['median_ms'] / ticks[0]['median_ms']:>8.2f} "
                      f"{tick['claim_ms']:>9.1f} {tick['claim_ms'] / ticks[0]['claim_ms']:>8.2f}")
    finally:
        deployment.close()


if __name__ == "__main__":
    main()
