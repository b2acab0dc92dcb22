"""`hopper ingest` on every core: `batch.ingest_many` in several forked processes.

A first pass over many feeds is CPU-bound (parse, clean, building the store's rows), and
one Python process runs Python on one core at a time. So the command forks `processes`
children; each runs `ingest_many` with its own database connections, Redis client and
HTTP pool, and asks the parent for BATCH source ids at a time, so a child held up by slow
feeds never leaves the others idle at the end. Each child reports every group of results
it stored; the parent keeps the progress bar and the summary.

Everything that makes one run safe holds across children, because it is `ingest_many`'s:
the Redis lock per source (children never poll one source twice, nor beside a worker),
one transaction per group of polls (SQLite: BEGIN IMMEDIATE and the busy timeout order
two children's writes; PostgreSQL: source rows locked in id order).

A child that dies (the OOM killer, kill -9) loses only what it had not stored: its
sources come back as failed with the reason, their `unfinished_polls` stay raised and
their locks expire, exactly as after a killed worker. Each child talks to the parent over
its own pipe, so one dying mid-message cannot wedge the others.

Children are forked, not spawned: a forked child starts in milliseconds with everything
imported, which matters to an all-304 pass that lasts well under a second. Where fork
does not exist, `hopper ingest` stays in one process.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from types import FrameType

from hopper.collector import tune_collector
from hopper.redis_client import COMMAND, connect
from hopper.settings import Settings
from models.db import Database
from workers.ingest.cli.batch import BATCH, IngestInterrupted, ingest_many
from workers.ingest.steps.fetch import FeedClient
from workers.ingest.steps.store import StoreResult

log = logging.getLogger(__name__)

# Sources a process must have to be worth forking (below, its start-up and its share of
# the store's lock cost more than the core it adds).
MIN_SOURCES_PER_PROCESS = 48
MAX_PROCESSES = 8
# How long a stopped child may take to release its locks before it is killed.
STOP_WAIT_S = 10.0


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def usable_cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def default_processes(source_count: int) -> int:
    """One process per usable core, if there are sources enough to share out."""
    if not can_fork():
        return 1
    return max(1, min(usable_cores(), MAX_PROCESSES, source_count // MIN_SOURCES_PER_PROCESS))


def ingest_in_processes(ids: Sequence[int], *, settings: Settings, database: Database,
                        processes: int, threads: int, force: bool = False,
                        on_done: Callable[[list[StoreResult]], None] = lambda results: None,
                        ) -> list[StoreResult]:
    """Poll every given source once across `processes` forked children (threads each);
    one result per source, like `ingest_many`."""
    context = multiprocessing.get_context("fork")
    batches = deque(list(ids[start:start + BATCH]) for start in range(0, len(ids), BATCH))
    children: dict[Connection, BaseProcess] = {}
    for number in range(1, processes + 1):
        parent_end, child_end = context.Pipe()
        child = context.Process(target=_child, name=f"hopper-ingest-{number}", daemon=True,
                                args=(child_end, settings, database, threads, force))
        child.start()
        child_end.close()     # the child holds the only write end: its death is our EOF
        children[parent_end] = child
    results: dict[int, StoreResult] = {}
    deaths: list[str] = []
    try:
        while children:
            for connection in wait(list(children)):
                assert isinstance(connection, Connection)
                try:
                    kind, payload = connection.recv()
                    if kind == "more":
                        _hand_out(connection, batches)
                        continue
                except (EOFError, OSError):
                    _reap(children.pop(connection), connection, deaths)
                    continue
                results.update((result.source_id, result) for result in payload)
                on_done(payload)
    except KeyboardInterrupt:
        # Stopped children store the polls they had finished before they exit.
        _stop(list(children.values()))
        for connection in children:
            for group in _stored_before_exit(connection):
                results.update((result.source_id, result) for result in group)
                on_done(group)
        handed_out = set(ids) - {source_id for batch in batches for source_id in batch}
        raise IngestInterrupted(list(results.values()),
                                sorted(handed_out - set(results))) from None
    except BaseException:
        _stop(list(children.values()))
        raise
    lost = [StoreResult(source_id, "failed", error=_lost_reason(deaths))
            for source_id in ids if source_id not in results]
    if lost:
        on_done(lost)
    return [*results.values(), *lost]


def _hand_out(connection: Connection, batches: deque[list[int]]) -> None:
    batch = batches.popleft() if batches else None
    try:
        connection.send(batch)
    except OSError:
        if batch:
            batches.appendleft(batch)     # for another child: this one is gone
        raise


def _stored_before_exit(connection: Connection) -> Iterator[list[StoreResult]]:
    """The groups an exited child reported after the parent stopped reading."""
    try:
        while connection.poll():
            kind, payload = connection.recv()
            if kind == "stored":
                yield payload
    except (EOFError, OSError):
        return


def _reap(child: BaseProcess, connection: Connection, deaths: list[str]) -> None:
    connection.close()
    child.join()
    if child.exitcode:
        how = (f"was killed by signal {-child.exitcode}" if child.exitcode < 0
               else f"exited with status {child.exitcode}")
        deaths.append(f"{child.name} {how}")
        log.error("ingest process %s (pid %s) %s", child.name, child.pid, how)


def _lost_reason(deaths: list[str]) -> str:
    why = "; ".join(deaths) or "it ended early"
    return (f"ingest process died ({why}) before reporting this poll "
            "(a poll it had not stored wrote nothing)")


def _stop(children: list[BaseProcess]) -> None:
    """Ask the children to stop (they release their locks), then make sure they did."""
    for child in children:
        child.terminate()
    for child in children:
        child.join(STOP_WAIT_S)
        if child.is_alive():
            child.kill()
            child.join()


# --- in the child ----------------------------------------------------------------------

def _child(connection: Connection, settings: Settings, database: Database, threads: int,
           force: bool) -> None:
    # Ctrl-C in a terminal reaches the whole process group: the parent decides, and stops
    # its children with SIGTERM, which unwinds `ingest_many` (its locks are released).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    database.engine.dispose(close=False)     # the parent's pooled connections stay its own
    tune_collector()
    client = connect(settings.redis_url, COMMAND)
    http = FeedClient.from_settings(settings, pool_size=threads, redis_client=client)
    try:
        ingest_many(_asked_for(connection), database=database, redis_client=client,
                    http=http, limits=settings.limits, threads=threads, force=force,
                    on_done=lambda group: connection.send(("stored", group)))
    except SystemExit as stop:
        # Stopped by the parent, locks released: leave now rather than let the exit join
        # fetch threads that may hang until their timeout.
        os._exit(stop.code if isinstance(stop.code, int) else 1)
    finally:
        http.close()
        client.close()
        connection.close()


def _asked_for(connection: Connection) -> Iterator[int]:
    """Source ids from the parent, a batch at a time, until it has none left."""
    while True:
        connection.send(("more", None))
        batch = connection.recv()
        if not batch:
            return
        yield from batch


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)
