"""Fault scenarios on real processes, loopback only, each bounded in time. Every scenario
starts its own redis-server and PostgreSQL cluster (bench/cluster.py) and kills or
restarts only those, never the machine's services. Each prints what it proved.

    .venv/bin/python bench/faults.py                 # every scenario
    .venv/bin/python bench/faults.py --only kill_worker_mid_store,two_beats_four_workers

Scenarios:
  kill_worker_mid_store   kill -9 a worker while it stores a 5,000-entry feed
  redis_restart           restart Redis while workers and beat run
  postgres_restart        restart PostgreSQL during polls
  two_beats_four_workers  two beats, four worker processes, accelerated schedule
  sqlite_long_writer      SQLite locked by a long writer while polls store
"""

from __future__ import annotations

import argparse
import contextlib
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import redis  # noqa: E402
from sqlalchemy import text, update  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.cluster import Deployment, FeedServer  # noqa: E402
from models.base import utcnow  # noqa: E402
from models.db import session_scope  # noqa: E402
from models.sources import Source  # noqa: E402

# Short poll limits: the poll lock of a killed worker expires in 20 + 60 s.
FAST = {"HOPPER_POLL_TIME_LIMIT_SECONDS": "20", "HOPPER_TICK_SECONDS": "1",
        "HOPPER_BEAT_LOCK_SECONDS": "3"}
ENTRIES = 10
# workers.ingest.steps.schedule.enqueue_lease with a 20 s hard limit: max(4 × 20, 300) s.
LEASE_S = 300


class Report:
    def __init__(self, name: str) -> None:
        self.name = name
        self.failures: list[str] = []
        self.started = time.monotonic()

    def say(self, line: str) -> None:
        print(f"  [{time.monotonic() - self.started:6.1f}s] {line}", flush=True)

    def check(self, condition: bool, proved: str, detail: object = "") -> None:
        self.say(("PASS " if condition else "FAIL ") + proved
                 + (f" ({detail})" if detail != "" else ""))
        if not condition:
            self.failures.append(proved)


def wait_until(predicate: Callable[[], bool], timeout_s: float, every_s: float = 0.25) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every_s)
    return predicate()


@contextlib.contextmanager
def deployment(**kwargs: str) -> Iterator[Deployment]:
    deployed = Deployment(**kwargs)
    try:
        yield deployed
    finally:
        deployed.close()


def source_row(deployed: Deployment, source_id: int) -> Source:
    with deployed.database.reader() as session:
        row = session.get(Source, source_id)
        assert row is not None
        return row


def send(deployed: Deployment, task: str, *args: object) -> None:
    from celery import Celery

    sender = Celery("bench", broker=deployed.redis.url)
    sender.conf.update(task_serializer="json", task_routes={
        "workers.poll_source": {"queue": "polls"},
        "workers.poll_due_sources": {"queue": "polls"}})
    sender.send_task(task, args=list(args))
    sender.close()


def active_article_inserts(deployed: Deployment) -> int:
    with deployed.database.engine.connect() as connection:
        return connection.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND "
            "state = 'active' AND query ILIKE '%INSERT INTO articles%'")) or 0


def kill_worker_mid_store(report: Report) -> None:
    with deployment() as deployed:
        feeds = FeedServer(sizes={0: 5000})
        with feeds.running() as base_url:
            (source_id,) = deployed.seed_sources(base_url, 1)
            worker = deployed.start_worker(concurrency=1, **FAST)
            send(deployed, "workers.poll_source", source_id)
            caught = wait_until(lambda: active_article_inserts(deployed) > 0, 120, 0.02)
            worker.kill()   # SIGKILL to the worker's whole process group
            report.check(caught, "the worker was killed while INSERTing the 5,000 articles")
            deployed.processes.remove(worker)
            report.check(deployed.count_articles() == 0,
                         "nothing half-written: the killed store left no article",
                         deployed.count_articles())
            row = source_row(deployed, source_id)
            report.check(row.unfinished_polls == 1, "the killed poll is counted as unfinished",
                         row.unfinished_polls)
            deployed.start_worker(concurrency=1, **FAST)
            lock_key = f"hopper:lock:poll-source:{source_id}"
            client = redis.Redis.from_url(deployed.redis.url)
            report.say(f"dead poll's lock expires in {client.ttl(lock_key)} s; waiting")
            wait_until(lambda: not client.exists(lock_key), 120)
            # The source is due again once its enqueue lease ends (≥ 5 min); play the
            # operator's "poll now" instead of waiting, then let the beat's tick enqueue it.
            with session_scope(deployed.database) as session:
                session.execute(update(Source).values(next_poll_at=utcnow()))
            send(deployed, "workers.poll_due_sources")
            polled = wait_until(lambda: deployed.count_articles() >= 5000, 180)
            time.sleep(1)
            report.check(polled and deployed.count_articles() == 5000,
                         "after a restart the source was polled again and stored 5,000 "
                         "articles", deployed.count_articles())
            report.check(deployed.duplicate_articles() == 0, "no duplicate article")
            row = source_row(deployed, source_id)
            report.check(row.unfinished_polls == 0 and row.status == "ok",
                         "the finished poll cleared the unfinished counter",
                         (row.unfinished_polls, row.status, row.last_error))
            report.check(feeds.hits[0] == 2, "the feed was fetched exactly twice",
                         feeds.hits[0])


def run_under_fault(report: Report, deployed: Deployment, *, sources: int,
                    fault: Callable[[], None], prompt_s: float = 90) -> None:
    """Beat + two worker processes poll `sources` feeds; `fault` strikes when a third are
    polled. Every source must then be stored, exactly once, within `prompt_s` (polls that
    failed were retried), and a second round must poll every source again."""
    feeds = FeedServer(entries=ENTRIES, delay_s=0.05)
    with feeds.running() as base_url:
        deployed.seed_sources(base_url, sources)
        worker = deployed.start_worker(concurrency=2, **FAST)
        beat = deployed.start_beat(**FAST)
        wait_until(lambda: deployed.count_polled() >= sources // 3, 120)
        report.say(f"fault strikes with {deployed.count_polled()}/{sources} sources polled")
        struck = time.monotonic()
        fault()
        report.say("the server is back")
        expected = sources * ENTRIES
        prompt = wait_until(lambda: deployed.count_articles() >= expected, prompt_s, 1)
        report.check(prompt, f"every source was stored within {prompt_s:.0f} s of the fault",
                     f"{deployed.count_articles()}/{expected} articles after "
                     f"{time.monotonic() - struck:.0f} s")
        if not prompt:   # the enqueue lease brings lost polls back: say how late
            late = wait_until(lambda: deployed.count_articles() >= expected, LEASE_S + 60, 1)
            report.check(late, "no article lost: the rest came back with the enqueue lease",
                         f"{deployed.count_articles()}/{expected} after "
                         f"{time.monotonic() - struck:.0f} s")
        report.check(deployed.duplicate_articles() == 0, "no duplicate article")
        first_round = Counter(feeds.hits)
        deployed.make_all_due()
        started = time.monotonic()

        def polled_again() -> int:
            return sum(1 for i in range(sources) if feeds.hits[i] > first_round[i])

        again = wait_until(lambda: polled_again() == sources, prompt_s, 1)
        report.check(again, "worker and beat carried on: a second round polled every source",
                     f"{polled_again()}/{sources} in {time.monotonic() - started:.0f} s")
        if not again:
            late = wait_until(lambda: polled_again() == sources, LEASE_S + 60, 1)
            report.check(late, "the stragglers were polled after their lease",
                         f"{polled_again()}/{sources} in {time.monotonic() - started:.0f} s")
        report.check(worker.process is not None and worker.process.poll() is None
                     and beat.process is not None and beat.process.poll() is None,
                     "worker and beat processes are still the same, still running")
        log = worker.output()
        report.say(f"poll tasks retried: {log.count('] retry: Retry in')}, "
                   f"raised: {log.count('] raised unexpected')}")
        raised = Counter(line.split("Task ", 1)[-1].split("[", 1)[0] + ": "
                         + line.split("] raised unexpected: ", 1)[1][:100]
                         for line in log.splitlines() if "] raised unexpected: " in line)
        for reason, count in raised.most_common(3):
            report.say(f"  raised {count} ×: {reason}")


def redis_restart(report: Report) -> None:
    with deployment() as deployed:
        run_under_fault(report, deployed, sources=300,
                        fault=lambda: deployed.redis.restart(down_seconds=3))


def postgres_restart(report: Report) -> None:
    with deployment() as deployed:
        assert deployed.postgres is not None
        run_under_fault(report, deployed, sources=300,
                        fault=lambda: deployed.postgres.restart(down_seconds=3))


def two_beats_four_workers(report: Report, periods: int = 6, period_s: float = 20) -> None:
    """Sources are made due again every `period_s` (an accelerated clock: each period is
    one poll interval); with two beats ticking every second, each source must be
    fetched at most once per period, and at least once."""
    sources = 100
    with deployment() as deployed:
        feeds = FeedServer(entries=ENTRIES)
        with feeds.running() as base_url:
            deployed.seed_sources(base_url, sources, due=0)
            for _ in range(2):
                deployed.start_worker(concurrency=2, **FAST)
            for _ in range(2):
                deployed.start_beat(**FAST)
            worst = 0
            missed = 0
            for period in range(periods):
                before = Counter(feeds.hits)
                deployed.make_all_due()
                time.sleep(period_s)
                fetched = Counter(feeds.hits)
                fetched.subtract(before)
                worst = max(worst, max(fetched.values(), default=0))
                missed += sum(1 for i in range(sources) if fetched[i] == 0)
                report.say(f"period {period + 1}: {sum(fetched.values())} fetches, "
                           f"most for one source {max(fetched.values(), default=0)}")
            report.check(worst <= 1, "every source was polled at most once per interval",
                         f"worst {worst}")
            report.check(missed == 0, "and every source was polled in every interval",
                         f"{missed} misses")
            senders = [p for p in deployed.processes
                       if "Sending due task poll-due-sources" in p.output()]
            report.check(len(senders) == 1, "only one of the two beats sent ticks",
                         len(senders))


def sqlite_long_writer(report: Report, hold_s: float = 20) -> None:
    """While polls are fetching, a writer takes SQLite's write lock and holds it longer
    than the busy timeout (15 s), so the polls' stores meet a locked database."""
    with deployment(database="sqlite") as deployed:
        sources = 40
        feeds = FeedServer(entries=ENTRIES, delay_s=1.0)
        path = make_url(deployed.database_url).database
        with feeds.running() as base_url:
            deployed.seed_sources(base_url, sources)
            # A poll must outlive SQLite's 15 s busy timeout: the default limits (120 s soft)
            # do; the 20 s that the other scenarios use would not.
            sqlite_env = dict(FAST, HOPPER_POLL_TIME_LIMIT_SECONDS="150")
            deployed.start_worker(concurrency=2, **sqlite_env)
            deployed.start_beat(**sqlite_env)
            wait_until(lambda: sum(feeds.hits.values()) > 0, 60, 0.05)
            connection = sqlite3.connect(str(path), isolation_level=None)
            connection.execute("BEGIN IMMEDIATE")
            report.say(f"a writer took the write lock with {sum(feeds.hits.values())} "
                       f"fetches under way; holding it {hold_s:.0f} s")
            time.sleep(hold_s)
            connection.execute("COMMIT")
            connection.close()
            report.say(f"lock released; {deployed.count_articles()} articles so far")
            done = wait_until(lambda: deployed.count_articles() >= sources * ENTRIES, 90, 1)
            report.check(done, "ingest retried and stored every article within 90 s of the "
                         "lock's release", f"{deployed.count_articles()}/{sources * ENTRIES}")
            log = deployed.processes[0].output()
            report.say(f"polls retried after 'database is locked': "
                       f"{log.count('database is locked')}")
            report.check(deployed.duplicate_articles() == 0, "no duplicate article")


SCENARIOS: dict[str, Callable[[Report], None]] = {
    "kill_worker_mid_store": kill_worker_mid_store,
    "redis_restart": redis_restart,
    "postgres_restart": postgres_restart,
    "two_beats_four_workers": two_beats_four_workers,
    "sqlite_long_writer": sqlite_long_writer,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default=",".join(SCENARIOS))
    args = parser.parse_args()
    failed = []
    for name in args.only.split(","):
        print(f"\n== {name}", flush=True)
        report = Report(name)
        try:
            SCENARIOS[name](report)
        except Exception as error:  # noqa: BLE001 - a scenario that crashes has failed
            report.check(False, f"scenario crashed: {type(error).__name__}: {error}")
        if report.failures:
            failed.append(name)
    print(f"\n{len(args.only.split(',')) - len(failed)} scenarios passed; failed: "
          f"{', '.join(failed) or 'none'}")
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
