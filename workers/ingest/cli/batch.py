"""Many polls in one process (`hopper ingest`): the pipeline of `pipeline.ingest_source`,
with the per-poll fixed costs paid once per batch instead of once per source.

    acquire_many (1 Redis round trip) | begin_polls (1 transaction)      per BATCH sources
    poll_feed on the thread pool (fetch, parse, clean, classify)          per source
    store_updates (1 transaction) | release_many | one content bump       per group of results

The data rules are those of a single poll: no poll's HTTP request runs inside a
transaction (its fetch starts after `begin_polls` committed and its store begins after
the fetch returned; the main thread's short store transactions hold no request open);
every source's articles commit in the same transaction as its bookkeeping (a group of
polls is one all-or-nothing transaction); a killed process leaves the started sources'
`unfinished_polls` raised, as a killed worker does; and the Redis lock keys and tokens
are those of `source_lock`, so this run and the workers never poll one source at once.

Stopped (Ctrl-C, or SIGTERM in a child of fanout.py), the run does not wait for fetches
in flight: it stores the polls that had finished, hands their sources' locks back, takes
back the started count of the polls it abandons (stopping is not a poll dying) and
raises; the caller reports what finished.

Fetches run on the thread pool, but only PARSE_SLOTS threads at a time parse and clean:
nh3 lets go of the GIL while it cleans and takes it back for every attribute it hands to
our filter, so many threads cleaning at once queue on the GIL for every attribute (on 2
cores, 8 free-running threads made the first pass ~1.5× slower than 2). More cores are
used by more processes (fanout.py), each running this loop over its share of sources.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from itertools import islice

import redis

from hopper.settings import Limits
from models.base import utcnow
from models.db import Database
from workers.ingest.pipeline import poll_feed
from workers.ingest.records import FeedUpdate
from workers.ingest.steps.fetch import FeedClient
from workers.ingest.steps.locks import acquire_many, locks_expire_in_s, release_many
from workers.ingest.steps.store import (
    StoreResult,
    abandon_polls,
    begin_polls,
    reschedule_locked,
    store_updates,
)

# Sources locked and started per transaction.
BATCH = 32
# Results stored per transaction at most, and the longest a result waits for its group.
STORE_GROUP = 24
STORE_WAIT_S = 0.2
# Threads of one process parsing and cleaning at once (see the module docstring).
PARSE_SLOTS = 1


class IngestInterrupted(Exception):
    """Ctrl-C during a run: the polls that finished are stored (`results`); `abandoned`
    sources were in flight, stored nothing and are polled again at their next turn."""

    def __init__(self, results: list[StoreResult], abandoned: list[int]) -> None:
        super().__init__(f"stopped with {len(abandoned)} polls in flight")
        self.results = results
        self.abandoned = abandoned


def ingest_many(source_ids: Iterable[int], *, database: Database, redis_client: redis.Redis,
                http: FeedClient, limits: Limits, threads: int, force: bool = False,
                on_done: Callable[[list[StoreResult]], None] = lambda results: None,
                ) -> list[StoreResult]:
    """Poll every given source once (those not locked by someone else); one result each.

    `source_ids` is read BATCH at a time, as the run needs more work (in a forked child of
    `hopper ingest`, a stream the parent feeds); `on_done` hears each group of results as
    it is stored.
    """
    run = _BatchRun(database=database, redis_client=redis_client, http=http, limits=limits,
                    force=force, on_done=on_done)
    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="ingest")
    try:
        run.drive(pool, iter(source_ids), queue_depth=2 * threads)
    except KeyboardInterrupt:
        pool.shutdown(wait=False, cancel_futures=True)
        raise IngestInterrupted(run.results, run.abandoned) from None
    except BaseException:
        # Stopped (SIGTERM) or failed: the locks are released already and what is in
        # flight would never be stored, so do not wait for slow fetches to end.
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return run.results


class _BatchRun:
    def __init__(self, *, database: Database, redis_client: redis.Redis, http: FeedClient,
                 limits: Limits, force: bool,
                 on_done: Callable[[list[StoreResult]], None]) -> None:
        self.database = database
        self.redis = redis_client
        self.http = http
        self.limits = limits
        self.force = force
        self.on_done = on_done
        self.results: list[StoreResult] = []
        self.tokens: dict[int, bytes] = {}
        self.in_flight: dict[Future[FeedUpdate], int] = {}
        self.pending: list[FeedUpdate] = []
        self.abandoned: list[int] = []
        self.parse_slots = threading.BoundedSemaphore(PARSE_SLOTS)

    def drive(self, pool: ThreadPoolExecutor, ids: Iterator[int], *, queue_depth: int) -> None:
        waiting_since = time.monotonic()
        more = True
        try:
            while more or self.in_flight or self.pending:
                while more and len(self.in_flight) < queue_depth:
                    batch = list(islice(ids, BATCH))
                    more = len(batch) == BATCH
                    if batch:
                        self._start(pool, batch)
                if self.in_flight:
                    done, _ = wait(self.in_flight, timeout=STORE_WAIT_S,
                                   return_when=FIRST_COMPLETED)
                    for future in done:
                        self.pending.append(self._update(future))
                if not self.pending:
                    waiting_since = time.monotonic()
                elif (len(self.pending) >= STORE_GROUP or not self.in_flight
                      or time.monotonic() - waiting_since >= STORE_WAIT_S):
                    self._store()
                    waiting_since = time.monotonic()
        except (KeyboardInterrupt, SystemExit):
            self._stop()
            raise
        finally:
            release_many(self.redis, self.tokens)   # only after an error: else empty

    def _stop(self) -> None:
        """Keep what finished; give up what is still fetching (see the module docstring)."""
        for future in [future for future in self.in_flight if future.done()]:
            self.pending.append(self._update(future))
        self.abandoned = sorted(self.in_flight.values())
        self.in_flight.clear()
        if self.pending:
            self._store()
        abandon_polls(self.database, self.abandoned)

    def _start(self, pool: ThreadPoolExecutor, batch: list[int]) -> None:
        tokens = acquire_many(self.redis, batch, self.limits)
        self.tokens.update(tokens)        # from now on, released whatever happens
        locked = [source_id for source_id in batch if source_id not in tokens]
        if locked:
            reschedule_locked(self.database, locks_expire_in_s(self.redis, locked),
                              now=utcnow())
        plans = begin_polls(self.database, list(tokens), now=utcnow(), limits=self.limits,
                            force=self.force) if tokens else {}
        release_many(self.redis, {source_id: self.tokens.pop(source_id)
                                  for source_id in tokens if source_id not in plans})
        self._finish([StoreResult(source_id, "skipped" if source_id in tokens else "locked")
                      for source_id in batch if source_id not in plans])
        for source_id, plan in plans.items():
            future = pool.submit(poll_feed, plan.snapshot, http=self.http, rules=plan.rules,
                                 now=utcnow(), cpu_slot=self.parse_slots)
            self.in_flight[future] = source_id

    def _update(self, future: Future[FeedUpdate]) -> FeedUpdate:
        source_id = self.in_flight.pop(future)
        try:
            return future.result()
        except Exception as error:   # poll_feed records failures itself; this is a bug
            return FeedUpdate(source_id=source_id, polled_at=utcnow(), outcome="failed",
                              error=f"internal error: {type(error).__name__}: {error}")

    def _store(self) -> None:
        group, self.pending = self.pending, []
        try:
            results = store_updates(self.database, self.redis, group, limits=self.limits)
        except Exception as error:   # a database outage: report it per source, carry on
            results = [StoreResult(update.source_id, "failed",
                                   error=f"{type(error).__name__}: {error}", is_stored=False)
                       for update in group]
        finally:
            release_many(self.redis, {update.source_id: self.tokens.pop(update.source_id)
                                      for update in group})
        self._finish(results)

    def _finish(self, results: list[StoreResult]) -> None:
        if results:
            self.results.extend(results)
            self.on_done(results)
