"""What the media proxy checks before it waits on a publisher, so that a slow or hanging
image host never holds the web (docs/operations.md, "Images"):

- a failure is remembered in Redis for `failure_ttl_s`, shared by every web process:
  later requests for that image answer at once, without contacting the host;
- one fetch per URL at a time (a Redis lock with an owner token, expiring after the
  fetch deadline): a second request for an image being fetched answers at once instead
  of waiting on the same upstream;
- at most `slots` upstream fetches at once across every web process of the deployment
  (a Redis sorted set of expiring leases; gunicorn's sync workers are processes) and in
  this process (a semaphore, for threaded servers): beyond that, answer at once.

When Redis is unreachable only the per-process limit holds and failures stay unshared;
the proxy keeps working.
"""

from __future__ import annotations

import logging
import math
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import cast

import redis

from hopper.media_cache import url_key

log = logging.getLogger(__name__)

KEY_PREFIX = "hopper:media"
LOCK_PREFIX = "hopper:lock:media:"     # hopper:lock:* keys are watched by maintenance

# Drop expired leases, then take one if fewer than ARGV[2] are held.
_TAKE_SLOT = """
local now = tonumber(ARGV[1])
redis.call('zremrangebyscore', KEYS[1], '-inf', now)
if redis.call('zcard', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('zadd', KEYS[1], now + tonumber(ARGV[3]), ARGV[4])
  redis.call('pexpire', KEYS[1], math.ceil(tonumber(ARGV[3]) * 1000))
  return 1
end
return 0
"""
# Delete the lock only if we still own it: a slow holder must not free the next one's.
_RELEASE_LOCK = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


@dataclass(frozen=True)
class GateLimits:
    slots: int = 2                    # HOPPER_MEDIA_FETCH_SLOTS
    failure_ttl_s: int = 300          # how long a failed image is not asked for again
    lease_s: float = 20.0             # longer than a fetch's total deadline
    pool: str = "web"                 # whose slots: the web's, or the workers'


@dataclass(frozen=True)
class Turn:
    """Whether this request may fetch; when not, why (for the logs and a Retry-After)."""

    is_granted: bool
    reason: str = ""
    # How long the fetch we would wait for has been running (for a full set of slots: the
    # youngest of them). A long-running one is a slow host: waiting for it is pointless.
    busy_for_s: float = 0.0


class FetchGate:
    """Shared by the threads of one process; one per web process (and worker process)."""

    def __init__(self, client: redis.Redis, limits: GateLimits) -> None:
        self.client = client
        self.limits = limits
        self._local_slots = threading.BoundedSemaphore(limits.slots)
        self._take_slot = client.register_script(_TAKE_SLOT)
        self._release_lock = client.register_script(_RELEASE_LOCK)

    def recent_failure(self, url: str) -> int | None:
        """The status remembered for a recent failure of `url`, if any."""
        try:
            value = cast("bytes | None",
                         self.client.get(f"{KEY_PREFIX}:failed:{url_key(url)}"))
        except redis.RedisError as error:
            log.warning("media gate: failure cache unavailable: %s", error)
            return None
        return int(value) if value and value.isdigit() else None

    def remember_failure(self, url: str, status: int) -> None:
        try:
            self.client.set(f"{KEY_PREFIX}:failed:{url_key(url)}", str(status),
                            ex=self.limits.failure_ttl_s)
        except redis.RedisError as error:
            log.warning("media gate: failure not remembered: %s", error)

    @contextmanager
    def turn(self, url: str) -> Iterator[Turn]:
        """Hold the right to fetch `url` for the block, or learn at once that it is not
        ours to take; never waits."""
        if not self._local_slots.acquire(blocking=False):
            yield Turn(False, "this process is fetching as many images as it may")
            return
        try:
            with self._shared_turn(url) as turn:
                yield turn
        finally:
            self._local_slots.release()

    @contextmanager
    def _shared_turn(self, url: str) -> Iterator[Turn]:
        token = secrets.token_hex(8)
        lock = LOCK_PREFIX + url_key(url)
        lease_ms = math.ceil(self.limits.lease_s * 1000)
        try:
            if not self.client.set(lock, token, nx=True, px=lease_ms):
                remaining_ms = int(cast(int, self.client.pttl(lock)))
                busy_for = (lease_ms - remaining_ms) / 1000 if remaining_ms > 0 else 0.0
                yield Turn(False, "another request is fetching this image", busy_for)
                return
        except redis.RedisError as error:
            log.warning("media gate: Redis unavailable, per-process limit only: %s", error)
            yield Turn(True)
            return
        slot = f"{KEY_PREFIX}:fetching:{self.limits.pool}"
        try:
            try:
                is_granted = bool(self._take_slot(
                    keys=[slot],
                    args=[time.time(), self.limits.slots, self.limits.lease_s, token]))
            except redis.RedisError as error:
                log.warning("media gate: Redis unavailable, per-process limit only: %s",
                            error)
                is_granted = True
            if not is_granted:
                yield Turn(False, "the site is fetching as many images as it may",
                           self._youngest_lease_age(slot))
                return
            try:
                yield Turn(True)
            finally:
                self._quietly(lambda: self.client.zrem(slot, token))
        finally:
            self._quietly(lambda: self._release_lock(keys=[lock], args=[token]))

    def _youngest_lease_age(self, slot: str) -> float:
        try:
            newest = cast("list[tuple[bytes, float]]",
                          self.client.zrange(slot, -1, -1, withscores=True))
        except redis.RedisError:
            return 0.0
        if not newest:
            return 0.0
        return max(0.0, self.limits.lease_s - (newest[0][1] - time.time()))

    @staticmethod
    def _quietly(action: Callable[[], object]) -> None:
        try:
            action()
        except redis.RedisError as error:
            log.warning("media gate: lease not released (it expires on its own): %s", error)
