"""`hopper ingest` fanned out over forked processes (workers/ingest/cli/fanout.py), run as the
real command in a subprocess against a loopback feed server: every source polled once,
a killed child costing only its own unfinished polls, Ctrl-C leaving nothing locked."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psutil
import pytest
import redis
from sqlalchemy import func, select

from models.articles import Article
from models.db import Database
from models.sources import Source
from tests.processes import ROOT, wait_for
from tests.sources import add_source
from tests.workers.ingest.conftest import rss
from workers.ingest.cli import fanout
from workers.ingest.cli.batch import BATCH
from workers.ingest.steps.locks import LOCK_PREFIX


class FeedServer:
    """Feeds on 127.0.0.1, one thread per request; `/hang` answers only once released."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.hung = threading.Event()
        self.paths: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:   # noqa: N802
                outer.paths.append(self.path)
                if self.path == "/hang":
                    outer.hung.set()
                    outer.release.wait(60)
                if self.headers.get("If-None-Match") == '"v1"':
                    self.send_response(304)
                    self.end_headers()
                    return
                n = self.path.rsplit("/", 1)[-1]
                body = rss((f"{n}-a", f"Story {n} A"), (f"{n}-b", f"Story {n} B"))
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/rss+xml")
                    self.send_header("ETag", '"v1"')
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass                     # the client was killed meanwhile

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    server = FeedServer()
    yield server
    server.close()


def hopper(*args: str) -> list[str]:
    return [sys.executable, "-c", "from web.cli import main; main()", *args]


@contextmanager
def running(command: list[str], env: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(command, env=env, cwd=ROOT, text=True, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(30)


@pytest.fixture
def subprocess_env(subprocess_env: dict[str, str]) -> dict[str, str]:
    """Dozens of feeds on one loopback server stand for dozens of publishers."""
    return {**subprocess_env, "HOPPER_PER_HOST_CONCURRENCY": "16"}


def polled(database: Database) -> int:
    with database.reader() as session:
        return session.scalar(select(func.count()).select_from(Source)
                              .where(Source.last_polled_at.is_not(None))) or 0


def articles_of(database: Database, source_id: int) -> int:
    with database.reader() as session:
        return session.scalar(select(func.count()).select_from(Article)
                              .where(Article.source_id == source_id)) or 0


def test_processes_default_to_one_per_core_only_when_there_are_sources_to_share() -> None:
    assert fanout.default_processes(1) == 1
    assert fanout.default_processes(fanout.MIN_SOURCES_PER_PROCESS - 1) == 1
    many = fanout.MIN_SOURCES_PER_PROCESS * 100
    assert fanout.default_processes(many) == min(fanout.usable_cores(), fanout.MAX_PROCESSES)


def test_two_processes_poll_every_source_exactly_once_and_a_second_run_is_all_304(
        feeds: FeedServer, database: Database, redis_client: redis.Redis,
        subprocess_env: dict[str, str]) -> None:
    count = 2 * BATCH + 6                   # three batches to share between two children
    ids = [add_source(database, f"{feeds.base}/feed/{n}", name=f"Feed {n}")
           for n in range(count)]

    first = subprocess.run(hopper("ingest", "--all", "--processes", "2"), env=subprocess_env,
                           cwd=ROOT, capture_output=True, text=True, timeout=120)

    assert first.returncode == 0, first.stderr
    assert sorted(feeds.paths) == sorted(f"/feed/{n}" for n in range(count))
    rows = {int(line.split()[0]): line.split() for line in first.stdout.splitlines()
            if line.split() and line.split()[0].isdigit()}
    assert sorted(rows) == ids
    assert all(row[3:6] == ["ok", "2", "0"] for row in rows.values())
    assert f"total ({count} sources)" in first.stdout
    with database.reader() as session:
        assert session.scalar(select(func.count()).select_from(Article)) == 2 * count
        assert set(session.scalars(select(Source.unfinished_polls))) == {0}
    assert not redis_client.keys(f"{LOCK_PREFIX}*")

    feeds.paths.clear()
    second = subprocess.run(hopper("ingest", "--all", "--processes", "2"), env=subprocess_env,
                            cwd=ROOT, capture_output=True, text=True, timeout=120)

    assert second.returncode == 0, second.stderr
    assert len(feeds.paths) == count
    assert second.stdout.count(" not_modified ") == count
    with database.reader() as session:
        assert session.scalar(select(func.count()).select_from(Article)) == 2 * count


def test_a_killed_child_loses_only_its_unstored_poll_and_the_run_says_why(
        feeds: FeedServer, database: Database, redis_client: redis.Redis,
        subprocess_env: dict[str, str]) -> None:
    healthy = [add_source(database, f"{feeds.base}/feed/{n}") for n in range(5)]
    stuck = add_source(database, f"{feeds.base}/hang")

    with running(hopper("ingest", "--all", "--processes", "2", "--threads", "4"),
                 subprocess_env) as command:
        assert feeds.hung.wait(60)
        assert wait_for(lambda: polled(database) == len(healthy))   # stored while /hang hangs
        for child in psutil.Process(command.pid).children():
            child.send_signal(signal.SIGKILL)
        out, err = command.communicate(timeout=60)

    assert command.returncode == 0, err
    line = next(line for line in out.splitlines() if line.split()[:1] == [str(stuck)])
    assert " failed " in line and "died" in line
    assert "killed by signal 9" in out
    assert all(articles_of(database, source_id) == 2 for source_id in healthy)
    assert articles_of(database, stuck) == 0
    with database.reader() as session:
        row = session.get(Source, stuck)
        # As after a killed worker: counted as started and never finished.
        assert (row.unfinished_polls, row.last_polled_at) == (1, None)


def test_ctrl_c_stops_every_process_and_releases_the_locks(
        feeds: FeedServer, database: Database, redis_client: redis.Redis,
        subprocess_env: dict[str, str]) -> None:
    add_source(database, f"{feeds.base}/feed/1")
    stuck = add_source(database, f"{feeds.base}/hang")

    with running(hopper("ingest", "--all", "--processes", "2"), subprocess_env) as command:
        assert feeds.hung.wait(60)
        family = [psutil.Process(command.pid), *psutil.Process(command.pid).children()]
        assert len(family) >= 2              # the other child may be done already
        assert redis_client.exists(f"{LOCK_PREFIX}{stuck}")
        os.killpg(command.pid, signal.SIGINT)                # what a terminal sends
        interrupted = time.monotonic()
        command.communicate(timeout=30)

    assert command.returncode != 0
    # The stopped child left at once, without waiting for its hanging fetch to time out
    # (or for the parent to kill it).
    assert time.monotonic() - interrupted < fanout.STOP_WAIT_S
    gone, alive = psutil.wait_procs(family, timeout=5)
    assert not alive
    assert not redis_client.exists(f"{LOCK_PREFIX}{stuck}")
    assert articles_of(database, stuck) == 0


@pytest.mark.parametrize("processes", ["1", "2"])
def test_ctrl_c_keeps_finished_polls_prints_a_summary_and_exits_within_seconds(
        feeds: FeedServer, database: Database, subprocess_env: dict[str, str],
        processes: str) -> None:
    fast = add_source(database, f"{feeds.base}/feed/1", name="Fast feed")
    stuck = add_source(database, f"{feeds.base}/hang", name="Stuck feed")

    with running(hopper("ingest", "--all", "--processes", processes),
                 subprocess_env) as command:
        assert feeds.hung.wait(60)
        wait_for(lambda: articles_of(database, fast) == 2)
        time.sleep(0.5)      # a child reports a stored group just after its commit
        os.killpg(command.pid, signal.SIGINT)
        interrupted = time.monotonic()
        stdout, stderr = command.communicate(timeout=60)

    assert time.monotonic() - interrupted < 5       # not the fetch timeout (20-45 s)
    assert command.returncode == 130
    assert "Traceback" not in stderr and "Aborted!" not in stderr, stderr
    assert "stopped: 1 polls finished and were stored; 1 in flight were abandoned" in stderr
    assert any("Fast feed" in line and " ok " in line for line in stdout.splitlines()), stdout
    with database.reader() as session:
        # Stopped on purpose: not a poll that died, so no step towards quarantine.
        assert session.get(Source, stuck).unfinished_polls == 0
        assert session.get(Source, fast).last_polled_at is not None
