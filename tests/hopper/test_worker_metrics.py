"""Worker metrics live in Redis (hopper/worker_metrics.py): a poll records in one round
trip, and a Redis outage never fails the poll that tries to record."""

from __future__ import annotations

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from hopper.worker_metrics import (
    ENTRIES_KEY,
    FETCH_SECONDS_KEY,
    POLLS_KEY,
    record_poll,
    record_task_queue_wait,
)
from tests.ops.servers import free_port


def test_a_poll_counts_its_outcome_entries_and_fetch_time(redis_client) -> None:
    record_poll(redis_client, "ok", 3, 1, 0.2)
    record_poll(redis_client, "not_modified", fetch_seconds=0.04)
    assert redis_client.hgetall(POLLS_KEY) == {b"ok": b"1", b"not_modified": b"1"}
    assert redis_client.hgetall(ENTRIES_KEY) == {b"new": b"3", b"updated": b"1"}
    fetch = redis_client.hgetall(FETCH_SECONDS_KEY)
    assert fetch[b"le=0.25"] == b"1" and fetch[b"le=0.05"] == b"1"
    assert fetch[b"count"] == b"2"


def test_recording_while_redis_is_down_does_not_raise() -> None:
    # No retries: redis-py retries a refused connection with backoff (9–17 s here), which
    # tests nothing more than one refusal does.
    dead = redis.Redis(host="127.0.0.1", port=free_port(), socket_connect_timeout=1,
                       retry=Retry(NoBackoff(), retries=0))
    record_poll(dead, "ok", 1, 0, 0.1, 0.5)
    record_task_queue_wait(dead, "polls", 0.5)
