"""Real processes for integration tests: a Celery worker, a Celery beat, gunicorn.
Each starts in its own process group and is always stopped, even when a test fails."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CELERY = [sys.executable, "-m", "celery", "--app", "workers"]


def wait_for(condition: Callable[[], object], timeout_s: float = 30.0,
             interval_s: float = 0.1) -> bool:
    """Poll `condition` until it is true (True) or `timeout_s` passes (False): wait on the
    event a test expects, never a fixed sleep."""
    deadline = time.monotonic() + timeout_s
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval_s)


class ManagedProcess:
    ready_text = ""
    timeout_s = 60.0

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.command = command
        self.env = dict(env)
        self.env.setdefault("PYTHONPATH", str(ROOT))
        self.process: subprocess.Popen[bytes] | None = None
        self.log = Path(tempfile.mkstemp(prefix="hopper-proc-", suffix=".log")[1])

    def start(self) -> None:
        with self.log.open("wb") as sink:
            self.process = subprocess.Popen(self.command, env=self.env, cwd=ROOT,
                                            stdout=sink, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL,
                                            start_new_session=True)
        process = self.process

        def ready() -> bool:
            if process.poll() is not None:
                raise RuntimeError(f"{self.command} exited early:\n{self.output()}")
            return bool(self.ready_text) and self.ready_text in self.output()

        if wait_for(ready, self.timeout_s):
            return
        self.stop()
        raise RuntimeError(f"{self.command} not ready in {self.timeout_s} s:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the whole process group (a worker's pool children too)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, sig)

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.kill(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill(signal.SIGKILL)
                self.process.wait()
        self.process = None

    def __enter__(self) -> ManagedProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class CeleryWorker(ManagedProcess):
    ready_text = "ready."

    def __init__(self, env: dict[str, str], *, concurrency: int = 2,
                 queues: str = "polls,maintenance,fulltext", hostname: str | None = None) -> None:
        name = hostname or f"test-{os.getpid()}-{time.monotonic_ns()}@%h"
        super().__init__(CELERY + ["worker", "--loglevel", "INFO", "--queues", queues,
                                   "--concurrency", str(concurrency), "--hostname", name,
                                   "--without-gossip", "--without-mingle"], env)


class CeleryBeat(ManagedProcess):
    ready_text = "beat: Starting"

    def __init__(self, env: dict[str, str], schedule_path: Path) -> None:
        super().__init__(CELERY + ["beat", "--loglevel", "INFO",
                                   "--schedule", str(schedule_path)], env)


class Gunicorn(ManagedProcess):
    """The web process exactly as the Procfile runs it, on 127.0.0.1:<port>."""

    ready_text = "Listening at"

    def __init__(self, env: dict[str, str], port: int, *, workers: int = 2) -> None:
        env = dict(env, HOPPER_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY=str(workers))
        super().__init__([sys.executable, "-m", "gunicorn",
                          "--config", "python:web.gunicorn_conf", "web:create_app()"], env)
        self.workers = workers

    def wait_for_workers(self, timeout_s: float = 30.0) -> None:
        deadline = time.monotonic() + timeout_s
        while self.output().count("Booting worker") < self.workers:
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn workers did not boot:\n{self.output()}")
            time.sleep(0.1)
