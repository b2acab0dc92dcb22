"""Worker metrics kept in Redis, so that `/metrics` on any web machine reports every
worker on every machine (docs/operations.md, "Observe").

Workers increment plain Redis hashes (one round trip per poll, no extra process, nothing
lost when a worker exits); the web's `/metrics` reads them at scrape time through
`WorkerMetricsCollector`. Counters only ever grow, as Prometheus expects, until Redis
is flushed, which Prometheus sees as a counter reset.

Layout: `hopper:metrics:<name>` hashes. Histograms keep one field per bucket
(`le=<bound>`, not cumulative), plus `sum` and `count`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import redis
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric

logger = logging.getLogger(__name__)

PREFIX = "hopper:metrics:"
POLLS_KEY = PREFIX + "polls"                    # field: outcome
ENTRIES_KEY = PREFIX + "entries"                # field: new | updated
FETCH_SECONDS_KEY = PREFIX + "fetch_seconds"
POLL_QUEUE_WAIT_KEY = PREFIX + "poll_queue_wait_seconds"
TASK_QUEUE_WAIT_PREFIX = PREFIX + "task_queue_wait_seconds:"   # + queue name

FETCH_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
QUEUE_WAIT_BUCKETS = (0.1, 0.5, 1.0, 5.0, 15.0, 30.0, 60.0, 300.0, 900.0, 3600.0)


def _bucket_field(value: float, buckets: Sequence[float]) -> str:
    for bound in buckets:
        if value <= bound:
            return f"le={bound}"
    return "le=+Inf"


def _observe(pipe: redis.client.Pipeline, key: str, value: float,
             buckets: Sequence[float]) -> None:
    pipe.hincrby(key, _bucket_field(value, buckets), 1)
    pipe.hincrbyfloat(key, "sum", value)
    pipe.hincrby(key, "count", 1)


@dataclass(frozen=True)
class PollCount:
    """One finished poll, as the metrics count it."""

    outcome: str              # the FeedUpdate's: "ok", "not_modified", "failed", "gone"…
    entries_new: int = 0
    entries_updated: int = 0
    fetch_seconds: float | None = None


def record_poll(client: redis.Redis, outcome: str, entries_new: int = 0,
                entries_updated: int = 0, fetch_seconds: float | None = None,
                queue_wait_seconds: float | None = None) -> None:
    """Count one finished poll. Never raises: losing a metric must not fail a poll."""
    record_polls(client, [PollCount(outcome, entries_new, entries_updated, fetch_seconds)],
                 queue_wait_seconds=queue_wait_seconds)


def record_polls(client: redis.Redis, polls: Sequence[PollCount],
                 queue_wait_seconds: float | None = None) -> None:
    """Count finished polls (a batch's) in one round trip. Never raises."""
    if not polls:
        return
    try:
        pipe = client.pipeline(transaction=False)
        for poll in polls:
            pipe.hincrby(POLLS_KEY, poll.outcome, 1)
            if poll.entries_new:
                pipe.hincrby(ENTRIES_KEY, "new", poll.entries_new)
            if poll.entries_updated:
                pipe.hincrby(ENTRIES_KEY, "updated", poll.entries_updated)
            if poll.fetch_seconds is not None:
                _observe(pipe, FETCH_SECONDS_KEY, poll.fetch_seconds, FETCH_BUCKETS)
            if queue_wait_seconds is not None:
                _observe(pipe, POLL_QUEUE_WAIT_KEY, queue_wait_seconds, QUEUE_WAIT_BUCKETS)
        pipe.execute()
    except redis.RedisError as error:
        logger.warning("poll metrics not recorded: %s", error)


def record_task_queue_wait(client: redis.Redis, queue: str, seconds: float) -> None:
    """How long a task of `queue` waited between being sent and starting. Never raises."""
    try:
        pipe = client.pipeline(transaction=False)
        _observe(pipe, TASK_QUEUE_WAIT_PREFIX + queue, seconds, QUEUE_WAIT_BUCKETS)
        pipe.execute()
    except redis.RedisError as error:
        logger.warning("queue wait not recorded: %s", error)


def _decode(raw: dict[bytes, bytes]) -> dict[str, float]:
    return {key.decode(): float(value) for key, value in raw.items()}


def _cumulative_buckets(fields: dict[str, float], buckets: Sequence[float]
                        ) -> list[tuple[str, float]]:
    cumulative = 0.0
    points = []
    for bound in (*[str(b) for b in buckets], "+Inf"):
        cumulative += fields.get(f"le={bound}", 0.0)
        points.append((bound, cumulative))
    return points


def _histogram(name: str, documentation: str, fields: dict[str, float],
               buckets: Sequence[float]) -> HistogramMetricFamily:
    family = HistogramMetricFamily(name, documentation, labels=[])
    family.add_metric([], _cumulative_buckets(fields, buckets), fields.get("sum", 0.0))
    return family


class WorkerMetricsCollector:
    """A prometheus_client collector that reads the workers' counters from Redis."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    def collect(self) -> Iterator[Metric]:
        queue_keys = sorted(key.decode() for key in
                            self.client.scan_iter(match=TASK_QUEUE_WAIT_PREFIX + "*"))
        pipe = self.client.pipeline(transaction=False)
        for key in (POLLS_KEY, ENTRIES_KEY, FETCH_SECONDS_KEY, POLL_QUEUE_WAIT_KEY,
                    *queue_keys):
            pipe.hgetall(key)
        polls, entries, fetch, poll_wait, *queue_waits = [_decode(raw) for raw in
                                                          pipe.execute()]

        family = CounterMetricFamily("hopper_polls", "Polls finished, by outcome.",
                                     labels=["outcome"])
        for outcome, value in sorted(polls.items()):
            family.add_metric([outcome], value)
        yield family
        family = CounterMetricFamily("hopper_entries_stored",
                                     "Articles written by polls: new or updated.",
                                     labels=["kind"])
        for kind in ("new", "updated"):
            family.add_metric([kind], entries.get(kind, 0.0))
        yield family
        yield _histogram("hopper_fetch_duration_seconds", "Time to fetch one feed.",
                         fetch, FETCH_BUCKETS)
        yield _histogram("hopper_poll_queue_wait_seconds",
                         "Time a poll waited in the queue before a worker started it.",
                         poll_wait, QUEUE_WAIT_BUCKETS)
        waits = HistogramMetricFamily(
            "hopper_task_queue_wait_seconds",
            "Time any task waited between being sent and starting, by queue.",
            labels=["queue"])
        for key, fields in zip(queue_keys, queue_waits, strict=True):
            waits.add_metric([key[len(TASK_QUEUE_WAIT_PREFIX):]],
                             _cumulative_buckets(fields, QUEUE_WAIT_BUCKETS),
                             fields.get("sum", 0.0))
        yield waits
