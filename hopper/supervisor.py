"""`hopper up`: run every Procfile process (web, worker, beat) under honcho, with the
embedded Redis started first when REDIS_URL is unset. Ctrl-C or SIGTERM stops them all:
each process is asked to stop as its own program expects, and the embedded Redis is
stopped last."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sys
from pathlib import Path

from honcho.compat import ProcessManager
from honcho.environ import parse_procfile
from honcho.manager import Manager
from honcho.printer import Printer

from hopper.embedded_redis import embedded_redis_for
from hopper.settings import Settings

# What honcho returns after it stopped every process on Ctrl-C (130) or SIGTERM (143).
_STOPPED_BY_REQUEST = frozenset({128 + signal.SIGINT, 128 + signal.SIGTERM})


def _exit_status(returncode: int | None) -> int:
    """0 when the processes stopped because they were asked to (Ctrl-C, SIGTERM from a
    service manager): that is how a server stops, not a failure (make would otherwise
    end `make run` with "Error 130"). A process that died by itself keeps its status."""
    if returncode is None or returncode in _STOPPED_BY_REQUEST:
        return 0
    return returncode


class _StopLeaders(ProcessManager):  # type: ignore[misc]
    """SIGTERM to the Procfile process alone, SIGKILL to its whole group. honcho's own
    SIGTERM goes to the group: the Celery worker's pool children died under the task they
    ran (a `WorkerLostError` traceback on every Ctrl-C during a poll). gunicorn and the
    Celery worker stop their children themselves (a warm shutdown lets a running poll
    finish); honcho's SIGKILL to the group, 5 s after the first process stopped, still
    ends whatever is left (a killed poll's task is redelivered)."""

    def terminate(self, pid: int) -> None:
        with contextlib.suppress(ProcessLookupError):   # it stopped by itself meanwhile
            os.kill(pid, signal.SIGTERM)


class _Manager(Manager):  # type: ignore[misc]
    """honcho's Manager with our signalling (honcho 2 has no option for it, only the
    attribute)."""

    def __init__(self) -> None:
        super().__init__(Printer(sys.stdout))
        self._procmgr = _StopLeaders()

    def add_process(self, name: str, cmd: str, env: dict[str, str]) -> None:
        """`exec`, so the process honcho signals is the program itself, not the shell
        that started it (dash does not forward signals to its child). A line the shell
        must run itself (variables set before the command, commands chained or piped:
        `exec` would take `VAR=x` for the program, or end the line at its first command)
        runs as written; honcho's SIGKILL 5 s later still stops it."""
        super().add_process(name, cmd if _SHELL_LINE.search(cmd) else f"exec {cmd}", env=env)


# A Procfile line that only a shell can run as a whole: an assignment before the command,
# or an operator joining commands.
_SHELL_LINE = re.compile(r"^\s*[A-Za-z_][A-Za-z0-9_]*=|&&|\|\||[;|&]")


class ProcfileError(Exception):
    """A Procfile that cannot be run: missing, unreadable, or naming no process."""


def read_procfile(path: str) -> dict[str, str]:
    """The processes a Procfile names (name → command). Read before anything starts, so a
    wrong `--procfile` is one line instead of a traceback after the schema upgrade, and
    one naming no process does not start Redis alone and stop at once."""
    try:
        text = Path(path).read_text()
    except (OSError, UnicodeDecodeError) as error:
        raise ProcfileError(f"cannot read the Procfile {path}: {error}") from error
    entries = dict(parse_procfile(text).processes)
    if not entries:
        raise ProcfileError(f"{path} names no process (one `name: command` per line)")
    return entries


def run_procfile(settings: Settings, entries: dict[str, str]) -> int:
    env = dict(os.environ)
    # Children must find the same instance folder (and with it the same Redis socket,
    # database and secret) even when started from another directory.
    env["HOPPER_INSTANCE"] = str(settings.instance_path)
    env.setdefault("PYTHONUNBUFFERED", "1")
    # gunicorn and celery live beside this interpreter (the virtual environment's bin).
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    server = embedded_redis_for(settings)
    try:
        # Inside the try: in its own process group, Redis no longer takes the terminal's
        # Ctrl-C itself, so one pressed while it starts must still stop it.
        if server is not None:
            server.start()
            print(f"embedded Redis on {server.socket_path}", flush=True)
        manager = _Manager()
        for name, command in entries.items():
            manager.add_process(name, command, env=env)
        manager.loop()
        return _exit_status(manager.returncode)
    finally:
        if server is not None:
            server.stop()
