"""Per-source poll locks on the run's real Redis."""

from __future__ import annotations

import redis

from hopper.settings import Limits
from tests.processes import wait_for
from workers.ingest.steps.locks import (
    LOCK_PREFIX,
    acquire_many,
    lock_expiry_s,
    release_many,
    source_lock,
)

LIMITS = Limits()


def test_a_second_holder_is_refused_while_the_first_holds(redis_client: redis.Redis) -> None:
    with source_lock(redis_client, 1, LIMITS) as first:
        with source_lock(redis_client, 1, LIMITS) as second:
            assert first and not second
        with source_lock(redis_client, 2, LIMITS) as other_source:
            assert other_source
    with source_lock(redis_client, 1, LIMITS) as again:
        assert again


def test_the_lock_expires_after_the_hard_time_limit(redis_client: redis.Redis) -> None:
    with source_lock(redis_client, 3, LIMITS):
        ttl = redis_client.ttl(f"{LOCK_PREFIX}3")
    assert LIMITS.poll_hard_time_limit_s < ttl <= lock_expiry_s(LIMITS)


def test_an_expired_holder_does_not_release_the_next_holders_lock(
        redis_client: redis.Redis) -> None:
    short = Limits(poll_hard_time_limit_s=-59)          # expiry of one second
    with source_lock(redis_client, 4, short) as slow:
        assert slow
        assert wait_for(lambda: not redis_client.exists(f"{LOCK_PREFIX}4"), timeout_s=5)
        with source_lock(redis_client, 4, LIMITS) as next_holder:
            assert next_holder
            token = redis_client.get(f"{LOCK_PREFIX}4")
        # leaving `next_holder` released it; re-take to test the slow holder's release
        redis_client.set(f"{LOCK_PREFIX}4", b"someone-else", ex=60)
    assert redis_client.get(f"{LOCK_PREFIX}4") == b"someone-else"
    assert token is not None


def test_a_batch_takes_only_free_locks_and_a_worker_is_refused_its_sources(
        redis_client: redis.Redis) -> None:
    with source_lock(redis_client, 10, LIMITS) as worker_holds:
        tokens = acquire_many(redis_client, [10, 11, 12], LIMITS)
        assert worker_holds and set(tokens) == {11, 12}
        with source_lock(redis_client, 11, LIMITS) as worker_again:
            assert not worker_again
        assert LIMITS.poll_hard_time_limit_s < redis_client.ttl(f"{LOCK_PREFIX}11") \
            <= lock_expiry_s(LIMITS)
    release_many(redis_client, tokens)
    assert redis_client.exists(f"{LOCK_PREFIX}11", f"{LOCK_PREFIX}12") == 0


def test_a_batch_never_releases_a_lock_that_is_no_longer_its_own(
        redis_client: redis.Redis) -> None:
    tokens = acquire_many(redis_client, [20, 21], LIMITS)
    redis_client.set(f"{LOCK_PREFIX}20", b"someone-else")    # ours expired, re-taken
    release_many(redis_client, tokens)
    assert redis_client.get(f"{LOCK_PREFIX}20") == b"someone-else"
    assert not redis_client.exists(f"{LOCK_PREFIX}21")
