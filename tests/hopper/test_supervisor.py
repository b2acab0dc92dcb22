"""`hopper up` (what `make run` executes) brings up web + worker + beat with the embedded
Redis, and Ctrl-C leaves no process behind."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from models.db import make_database
from tests.hanging import hanging_host
from tests.processes import wait_for
from tests.sources import add_source

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


@pytest.mark.slow
def test_up_serves_healthz_runs_worker_and_beat_and_ctrl_c_stops_everything(tmp_path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(HOPPER_INSTANCE=str(tmp_path / "instance"), HOPPER_BIND=f"127.0.0.1:{port}",
               WEB_CONCURRENCY="1", HOPPER_WORKER_CONCURRENCY="1")
    hopper = [sys.executable, "-c", "from web.cli import main; main()"]
    subprocess.run([*hopper, "db", "upgrade"], env=env, cwd=ROOT, check=True,
                   capture_output=True, timeout=120)
    log = (tmp_path / "up.log").open("wb")
    process = subprocess.Popen([*hopper, "up"], env=env, cwd=ROOT, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    seen: set[str] = set()
    try:
        deadline = time.monotonic() + 90
        health: dict[str, object] = {}
        while time.monotonic() < deadline:
            names = " ".join(" ".join(p.cmdline()) for p in _descendants(process.pid)
                             if p.is_running())
            seen |= {role for role in ("gunicorn", "worker", "beat", "redis-server")
                     if role in names}
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    health = json.load(r)
            except OSError:
                health = {}
            if health.get("workers_alive") and len(seen) == 4:
                break
            time.sleep(0.5)
        output = (tmp_path / "up.log").read_text(errors="replace")
        assert health.get("status") == "ok", output
        assert health["checks"]["redis"]["backend"] == "embedded"   # type: ignore[index]
        assert health["workers_alive"] >= 1, output
        assert seen == {"gunicorn", "worker", "beat", "redis-server"}, output
        children = _descendants(process.pid)
        assert children
    finally:
        # Ctrl-C: the terminal sends SIGINT to every process of the foreground job.
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        finally:
            log.close()
    _, alive = psutil.wait_procs(children, timeout=15)
    assert alive == [], f"left behind: {[p.cmdline() for p in alive]}"
    # A stop the operator asked for is a clean exit (no "make: *** Error 130").
    output = (tmp_path / "up.log").read_text(errors="replace")
    assert process.returncode == 0, output
    assert "Traceback" not in output, output


@pytest.mark.slow
def test_ctrl_c_during_a_poll_stops_every_process_without_a_traceback(tmp_path) -> None:
    """Ctrl-C while the worker polls a publisher that does not answer: the worker's pool
    children are left to their master (signalled themselves they died under the task:
    a WorkerLostError traceback) and the embedded Redis outlives the worker (stopped by
    the same Ctrl-C it was gone before the worker could hand the task back)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(HOPPER_INSTANCE=str(tmp_path / "instance"),
               HOPPER_BIND=f"127.0.0.1:{_free_port()}", WEB_CONCURRENCY="1",
               HOPPER_WORKER_CONCURRENCY="1", HOPPER_ALLOW_PRIVATE_NETWORKS="1")
    hopper = [sys.executable, "-c", "from web.cli import main; main()"]
    subprocess.run([*hopper, "db", "upgrade"], env=env, cwd=ROOT, check=True,
                   capture_output=True, timeout=120)
    database = make_database(f"sqlite:///{tmp_path / 'instance' / 'hopper.db'}")
    log_path = tmp_path / "up.log"
    with log_path.open("wb") as log:
        with hanging_host() as (base_url, requests):
            add_source(database, f"{base_url}/feed.xml")
            database.engine.dispose()
            process = subprocess.Popen([*hopper, "up"], env=env, cwd=ROOT, stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
            try:
                polling = wait_for(lambda: requests, timeout_s=90)
                children = _descendants(process.pid)
                names = " ".join(" ".join(child.cmdline()) for child in children)
            finally:
                # Ctrl-C: the terminal sends SIGINT to every process of the foreground job.
                os.killpg(process.pid, signal.SIGINT)
        # The publisher hangs up: the poll ends during the worker's warm shutdown, which
        # then hands the task back to Redis.
        process.wait(timeout=60)
    output = log_path.read_text(errors="replace")
    assert polling, output
    assert "redis-server" in names and "worker" in names, names
    _, alive = psutil.wait_procs(children, timeout=15)
    assert alive == [], f"left behind: {[p.cmdline() for p in alive]}"
    assert process.returncode == 0, output
    assert "Traceback" not in output, output
    assert "WorkerLostError" not in output, output


def test_up_creates_the_schema_before_it_starts_any_process(
        subprocess_env, scratch_database_url, tmp_path) -> None:
    """A fresh instance: the processes find the tables (the message for a missing schema
    tells operators `hopper up` does this)."""
    procfile = tmp_path / "Procfile"
    check = "from web.cli import main; main()"
    procfile.write_text(f"check: {sys.executable} -c '{check}' sources list\n")
    env = {**subprocess_env, "DATABASE_URL": scratch_database_url,
           "HOPPER_INSTANCE": str(tmp_path / "instance")}

    result = subprocess.run([sys.executable, "-c", check, "up", "--procfile", str(procfile)],
                            env=env, cwd=ROOT, capture_output=True, text=True, timeout=120,
                            check=False)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "upgraded from" in result.stdout, result.stdout
    assert "no sources yet" in result.stdout, result.stdout


def test_a_procfile_line_that_sets_variables_or_chains_commands_still_runs(
        subprocess_env, scratch_database_url, tmp_path) -> None:
    """Each Procfile command runs as `exec CMD` so that a stop signal reaches the program
    itself; a line the shell must run itself (variables set before the command, commands
    chained) is run as written."""
    procfile = tmp_path / "Procfile"
    procfile.write_text("check: GREETING=hello sh -c 'echo said $GREETING' && echo then more\n")
    env = {**subprocess_env, "DATABASE_URL": scratch_database_url,
           "HOPPER_INSTANCE": str(tmp_path / "instance")}

    result = subprocess.run([sys.executable, "-c", "from web.cli import main; main()", "up",
                             "--procfile", str(procfile)],
                            env=env, cwd=ROOT, capture_output=True, text=True, timeout=120,
                            check=False)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "said hello" in result.stdout and "then more" in result.stdout, result.stdout
