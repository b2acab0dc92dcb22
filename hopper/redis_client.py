"""The one way to build a Redis client, with named timeouts per kind of caller.

Every process talks to the same Redis (broker, locks, page cache, counters); what differs
is how long a caller may wait on it. A web request must not hang on Redis, a poll holding
a lock may wait a little longer, a probe only asks "is anybody there?".
"""

from __future__ import annotations

from dataclasses import dataclass

import redis


@dataclass(frozen=True)
class RedisTimeouts:
    socket_s: float
    connect_s: float | None
    # Seconds a pooled connection may idle before it is PINGed on reuse (0: never); long
    # lived processes need it to notice a Redis restart before a command fails on it.
    health_check_interval_s: int = 0


# A reader's page (cache, view counts) and rate limits: fail fast, serve uncached.
WEB = RedisTimeouts(socket_s=5, connect_s=5, health_check_interval_s=30)
# Celery workers: per-source locks and the content version around a poll.
WORKER = RedisTimeouts(socket_s=10, connect_s=10, health_check_interval_s=30)
# `hopper ingest` and its forked children: the same locks, for one command's lifetime.
COMMAND = RedisTimeouts(socket_s=10, connect_s=10)
# The beat's leader lock, renewed every few seconds: a slow answer is a lost renewal.
BEAT = RedisTimeouts(socket_s=5, connect_s=5)
# "Does the embedded server answer yet?", asked in a loop while it starts.
PROBE = RedisTimeouts(socket_s=1, connect_s=None)


def connect(url: str, timeouts: RedisTimeouts) -> redis.Redis:
    """A client for `url` (`redis://…` or `unix://…`); it connects on first use."""
    return redis.Redis.from_url(url, socket_timeout=timeouts.socket_s,
                                socket_connect_timeout=timeouts.connect_s,
                                health_check_interval=timeouts.health_check_interval_s)
