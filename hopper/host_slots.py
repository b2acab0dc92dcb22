"""Polite fetching: at most N requests at once to one host, across every process.

    with host_slot(redis_client, "news.example", limit=2):
        ...one HTTP request to news.example...

Each host has a Redis sorted set of its current holders: member = a random token, score
= the moment (Redis server time, ms) the holding lapses. Taking a slot is one Lua script
that first drops lapsed holders, then adds ours if fewer than `limit` remain, so two
processes never both take the last slot. A holder killed mid-request (kill -9, OOM)
never releases: its slot lapses `hold_s` after it was taken, and the next caller drops
it. Releasing removes only our own token.

A caller that finds every slot taken waits (short, jittered sleeps) up to `wait_s`, then
gets `HostBusy`. Redis being unreachable fails open (the request goes ahead, a warning is
logged): politeness must not turn a Redis restart into an outage of every fetch.

Feed polls, full-text page fetches and the media proxy's image fetches all call this
with the same limit (`Settings.per_host_concurrency`, env HOPPER_PER_HOST_CONCURRENCY),
so many sources on one publisher never hammer it, whatever is fetching.
"""

from __future__ import annotations

import hashlib
import logging
import math
import random
import secrets
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import cast

import redis

SLOTS_PREFIX = "hopper:host-slots:"

log = logging.getLogger(__name__)

# KEYS[1] the host's set; ARGV token, limit, hold in ms. Uses the server's clock, so the
# workers' clocks need not agree. Returns 1 when taken, else 0.
_ACQUIRE = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
    return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
-- The set lives as long as its longest holding, never shorter.
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[1], tonumber(last[2]))
return 1
"""
# Its EVALSHA name, hashed once: every poll takes a slot, and register_script would
# build a Script and hash the text again on each attempt.
_ACQUIRE_SHA = hashlib.sha1(_ACQUIRE.encode(), usedforsecurity=False).hexdigest()


class HostBusy(Exception):
    """Every slot of a host stayed taken for as long as the caller would wait."""

    def __init__(self, host: str, waited_s: float) -> None:
        super().__init__(f"{host} already had the most requests at once that Hopper sends "
                         f"to one host, for {waited_s:.0f} s")
        self.host = host
        self.waited_s = waited_s


@dataclass(frozen=True)
class HostSlots:
    """The per-host limit and its timings, bound to one Redis client: what a fetcher
    holds for its lifetime, so its call sites say only `with slots.hold(host):`."""

    client: redis.Redis
    limit: int
    # A holder that never releases frees its slot after this long: longer than any one
    # request may take (the fetchers' total time limits).
    hold_s: float = 60.0
    wait_s: float = 30.0

    def hold(self, host: str) -> AbstractContextManager[None]:
        return host_slot(self.client, host, limit=self.limit, hold_s=self.hold_s,
                         wait_s=self.wait_s)


@contextmanager
def host_slot(client: redis.Redis, host: str, *, limit: int, hold_s: float = 60.0,
              wait_s: float = 30.0) -> Iterator[None]:
    """Hold one of `host`'s `limit` slots for the duration of the block (see above)."""
    key = SLOTS_PREFIX + host.lower()
    token = secrets.token_hex(8)
    is_held = _acquire(client, key, token, limit=limit, hold_s=hold_s, wait_s=wait_s,
                       host=host)
    try:
        yield
    finally:
        if is_held:
            try:
                client.zrem(key, token)
            except redis.RedisError as error:
                log.warning("host slot for %s not released (it lapses on its own): %s",
                            host, error)


def take_slot(client: redis.Redis, key: str, token: str, *, limit: int,
              hold_s: float) -> bool:
    """One attempt at one of `limit` slots of the sorted set `key`, held by `token` for
    at most `hold_s` (see above): True when taken. Raises redis.RedisError. The media
    proxy's site-wide image slots use this too (hopper/image_gate.py)."""
    args = (key, token, limit, math.ceil(hold_s * 1000))
    try:
        return bool(client.evalsha(_ACQUIRE_SHA, 1, *args))
    except redis.exceptions.NoScriptError:
        # A restarted (or other) server without the script: EVAL runs and caches it.
        return bool(client.eval(_ACQUIRE, 1, *args))


def youngest_hold_age(client: redis.Redis, key: str, hold_s: float) -> float:
    """How long the most recently taken slot of `key` has been held (0 when none, or
    Redis is unreachable): by the server's clock, as the slots are."""
    try:
        newest = cast("list[tuple[bytes, float]]",
                      client.zrange(key, -1, -1, withscores=True))
        if not newest:
            return 0.0
        seconds, micros = cast("tuple[int, int]", client.time())
    except redis.RedisError:
        return 0.0
    lapses_in_s = newest[0][1] / 1000 - (seconds + micros / 1e6)
    return max(0.0, hold_s - lapses_in_s)


def _acquire(client: redis.Redis, key: str, token: str, *, limit: int, hold_s: float,
             wait_s: float, host: str) -> bool:
    """True once a slot is ours; False when Redis is unreachable (fail open)."""
    started = time.monotonic()
    pause = 0.005
    while True:
        try:
            if take_slot(client, key, token, limit=limit, hold_s=hold_s):
                return True
        except redis.RedisError as error:
            log.warning("host slots unreachable, fetching %s without one: %s", host, error)
            return False
        waited = time.monotonic() - started
        if waited >= wait_s:
            raise HostBusy(host, waited)
        time.sleep(min(pause * random.uniform(0.5, 1.5), max(wait_s - waited, 0)))
        pause = min(pause * 2, 0.2)
