"""A throwaway Hopper deployment on loopback for bench/scale.py and bench/faults.py:
its own PostgreSQL cluster and redis-server on free ports (never the machine's shared
services), a feed server, and real `celery worker` / `celery beat` processes.

Run the benches as root or as a user that can run PostgreSQL's initdb.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select, text, update  # noqa: E402

from models import migrate  # noqa: E402
from models.articles import Article  # noqa: E402
from models.base import utcnow  # noqa: E402
from models.db import Database, make_database, session_scope  # noqa: E402
from models.sources import Source  # noqa: E402
from tests.ops.servers import PostgresCluster, RedisServer  # noqa: E402
from tests.processes import CeleryBeat, CeleryWorker  # noqa: E402


def rss(source_id: int, entries: int, *, salt: str = "") -> bytes:
    """An RSS 2.0 feed of `entries` items with stable guids for this source."""
    now = utcnow()
    items = []
    for index in range(entries):
        published = format_datetime(now - timedelta(minutes=index))
        items.append(
            f"<item><guid>urn:hopper-bench:{source_id}:{index}</guid>"
            f"<title>Source {source_id} story {index}{salt}</title>"
            f"<link>http://example.test/{source_id}/{index}</link>"
            f"<description>&lt;p&gt;Paragraph {index} of source {source_id}, long enough to "
            f"look like a summary of a real news story.{salt}&lt;/p&gt;</description>"
            f"<pubDate>{published}</pubDate></item>")
    return ("<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
            f"<title>Bench source {source_id}</title><link>http://example.test/{source_id}</link>"
            + "".join(items) + "</channel></rss>").encode()


@dataclass
class FeedServer:
    """Serves /feed/<id>.xml with `entries` items each (or `sizes[id]`), counting hits."""

    entries: int = 10
    sizes: dict[int, int] = field(default_factory=dict)
    delay_s: float = 0.0
    hits: Counter[int] = field(default_factory=Counter)
    hit_times: list[tuple[float, int]] = field(default_factory=list)
    _cache: dict[int, bytes] = field(default_factory=dict)

    def body(self, source_id: int) -> bytes:
        if source_id not in self._cache:
            self._cache[source_id] = rss(source_id, self.sizes.get(source_id, self.entries))
        return self._cache[source_id]

    @contextlib.contextmanager
    def running(self) -> Iterator[str]:
        feeds = self
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes: without TCP_NODELAY, Nagle and the
            # client's delayed ACK add ~40 ms to every poll.
            disable_nagle_algorithm = True

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                try:
                    source_id = int(self.path.rsplit("/", 1)[-1].split(".")[0])
                except ValueError:
                    self.send_error(404)
                    return
                with lock:
                    feeds.hits[source_id] += 1
                    feeds.hit_times.append((time.monotonic(), source_id))
                if feeds.delay_s:
                    time.sleep(feeds.delay_s)
                payload = feeds.body(source_id)
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()


class Deployment:
    """PostgreSQL + Redis of its own, migrated, with helpers to seed and inspect."""

    def __init__(self, *, database: str = "postgresql") -> None:
        self.stack = contextlib.ExitStack()
        self.instance = Path(tempfile.mkdtemp(prefix="hopper-bench-"))
        self.redis = self.stack.enter_context(RedisServer())
        if database == "postgresql":
            self.postgres: PostgresCluster | None = self.stack.enter_context(PostgresCluster())
            self.database_url = self.postgres.create_database("hopper")
        else:
            self.postgres = None
            self.database_url = f"sqlite:///{self.instance / 'hopper.db'}"
        migrate.upgrade(self.database_url)
        self.database: Database = make_database(self.database_url)
        self.processes: list[CeleryWorker | CeleryBeat] = []

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        for name in ("DATABASE_URL", "REDIS_URL"):
            env.pop(name, None)
        env.update(DATABASE_URL=self.database_url, REDIS_URL=self.redis.url,
                   HOPPER_INSTANCE=str(self.instance), HOPPER_ALLOW_PRIVATE_NETWORKS="1",
                   SECRET_KEY="bench", PYTHONPATH=str(ROOT),
                   # One loopback feed server stands for many publishers: no per-host cap.
                   HOPPER_PER_HOST_CONCURRENCY="64",
                   # Bench feeds are dated back from a fixed day, over months: every
                   # entry stays storable (ingest skips what retention would delete).
                   HOPPER_RETENTION_DAYS="36500")
        env.update(extra)
        return env

    def start_worker(self, *, concurrency: int = 1, queues: str = "polls,maintenance",
                     **extra: str) -> CeleryWorker:
        worker = CeleryWorker(self.env(**extra), concurrency=concurrency, queues=queues)
        worker.timeout_s = 120
        worker.start()
        self.processes.append(worker)
        return worker

    def start_beat(self, **extra: str) -> CeleryBeat:
        beat = CeleryBeat(self.env(**extra),
                          self.instance / f"beat-{len(self.processes)}-schedule")
        beat.start()
        self.processes.append(beat)
        return beat

    def seed_sources(self, base_url: str, count: int, *, due: int | None = None) -> list[int]:
        """`count` sources; the first `due` (default all) are due now, the rest in a day."""
        now = utcnow()
        due = count if due is None else due
        rows = [{"url": f"{base_url}/feed/{index}.xml", "name": f"Bench {index}",
                 "next_poll_at": now - timedelta(minutes=1) if index < due
                 else now + timedelta(days=1),
                 "status": "ok", "error_count": 0, "unfinished_polls": 0,
                 "interval_minutes": 30, "created_at": now}
                for index in range(count)]
        with session_scope(self.database) as session:
            for start in range(0, len(rows), 2000):
                session.execute(insert(Source), rows[start:start + 2000])
            return list(session.scalars(select(Source.id).order_by(Source.id)))

    def make_all_due(self) -> None:
        with session_scope(self.database) as session:
            session.execute(update(Source).values(next_poll_at=utcnow() - timedelta(seconds=1)))

    def count_articles(self) -> int:
        with self.database.reader() as session:
            return session.scalar(select(func.count()).select_from(Article)) or 0

    def count_polled(self) -> int:
        with self.database.reader() as session:
            return session.scalar(select(func.count()).select_from(Source)
                                  .where(Source.last_polled_at.is_not(None))) or 0

    def duplicate_articles(self) -> int:
        """Rows sharing (source, entry key): zero whenever the unique key holds."""
        with self.database.reader() as session:
            return session.scalar(text(
                "SELECT count(*) FROM (SELECT source_id, entry_key FROM articles "
                "GROUP BY source_id, entry_key HAVING count(*) > 1) AS twice")) or 0

    def close(self) -> None:
        for process in reversed(self.processes):
            process.stop()
        self.database.dispose()
        self.stack.close()

