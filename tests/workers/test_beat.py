"""Exactly one beat sends the schedule, however many run (workers/beat.py).

Real `celery beat` processes on a private redis-server (so no test worker drains the
queue): the `polls` list then holds exactly what the beats enqueued.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
import redis

from tests.ops.servers import RedisServer
from tests.processes import CeleryBeat, wait_for
from workers.beat import BEAT_LOCK_KEY, BeatLock

TICK_SECONDS = 1
LOCK_SECONDS = 3


@pytest.fixture
def private_redis() -> Iterator[RedisServer]:
    with RedisServer() as server:
        yield server


@pytest.fixture
def beat_env(subprocess_env, private_redis) -> dict[str, str]:
    env = dict(subprocess_env)
    env.update(REDIS_URL=private_redis.url, HOPPER_TICK_SECONDS=str(TICK_SECONDS),
               HOPPER_BEAT_LOCK_SECONDS=str(LOCK_SECONDS))
    return env


def count_ticks(client: redis.Redis) -> int:
    messages = client.lrange("polls", 0, -1)
    return sum(json.loads(raw)["headers"]["task"] == "workers.poll_due_sources"
               for raw in messages)


def sending(beat: CeleryBeat) -> int:
    return beat.output().count("Sending due task poll-due-sources")


@pytest.mark.slow
def test_two_beats_running_enqueue_each_tick_once(beat_env, private_redis, tmp_path) -> None:
    client = redis.Redis.from_url(private_redis.url)
    with CeleryBeat(beat_env, tmp_path / "one") as first, \
            CeleryBeat(beat_env, tmp_path / "two") as second:
        # Both are up now: count only what is sent from here on.
        before = count_ticks(client)
        started = time.monotonic()
        time.sleep(8)
        ticks = count_ticks(client) - before
        elapsed = time.monotonic() - started
    # One beat sends about one tick a second; two unguarded beats would send twice that.
    assert 4 <= ticks <= elapsed / TICK_SECONDS + 2, (ticks, first.output(), second.output())
    assert sorted([sending(first) > 0, sending(second) > 0]) == [False, True], \
        (first.output(), second.output())


@pytest.mark.slow
def test_standby_beat_takes_over_when_the_holder_is_killed(beat_env, private_redis,
                                                           tmp_path) -> None:
    client = redis.Redis.from_url(private_redis.url)
    with CeleryBeat(beat_env, tmp_path / "one") as first, \
            CeleryBeat(beat_env, tmp_path / "two") as second:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not (sending(first) or sending(second)):
            time.sleep(0.2)
        holder, standby = (first, second) if sending(first) else (second, first)
        assert sending(holder), (first.output(), second.output())
        holder.kill()   # SIGKILL: no chance to release the lock
        killed_at = time.monotonic()
        before = count_ticks(client)
        while time.monotonic() - killed_at < LOCK_SECONDS + 8 and not sending(standby):
            time.sleep(0.2)
        took_over_after = time.monotonic() - killed_at
        assert sending(standby), standby.output()
        assert wait_for(lambda: count_ticks(client) > before, timeout_s=5), standby.output()
    assert took_over_after < LOCK_SECONDS + 3


def test_lock_is_renewed_only_by_its_holder_and_released_only_by_it(redis_client) -> None:
    key = BEAT_LOCK_KEY + ":test"
    holder = BeatLock(redis_client, key=key, seconds=5)
    other = BeatLock(redis_client, key=key, seconds=5)
    assert holder.hold() is True
    assert other.hold() is False
    other.release()                      # not the holder: must not delete the lock
    assert redis_client.get(key) == holder.token.encode()
    redis_client.set(key, "someone-else", px=5000)   # holder lost it (e.g. expired)
    assert holder.hold() is False        # and must not renew the new holder's lock
    assert redis_client.get(key) == b"someone-else"
    redis_client.delete(key)
    assert holder.hold() is True
    holder.release()
    assert redis_client.get(key) is None
