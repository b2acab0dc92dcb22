"""What the media proxy checks before it waits on a publisher, so that a slow or hanging
image host never holds the web (docs/operations.md, "Images"):

- a failure is remembered in Redis for `failure_ttl_s`, shared by every web process:
  later requests for that image answer at once, without contacting the host;
- one fetch per URL at a time (a Redis lock with an owner token, expiring after the
  fetch deadline): a second request for an image being fetched answers at once instead
  of waiting on the same upstream;
- at most `slots` upstream fetches at once across every web process of the deployment
  (expiring slots in Redis, the same kind as the per-host ones: hopper/host_slots.py;
  gunicorn's sync workers are processes) and in this process (a semaphore, for threaded
  servers): beyond that, answer at once;
- of those, one publisher's host holds at most `host_share` (half, at least one): a host
  that hangs keeps its share for the fetch deadline, and without this two of its images
  took every slot, so every other outlet's new pictures got the busy placeholder until
  they timed out.

When Redis is unreachable only the per-process limit holds and failures stay unshared;
the proxy keeps working.
"""

from __future__ import annotations

import logging
import math
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlsplit

import redis

from hopper.host_slots import take_slot, youngest_hold_age
from hopper.media_cache import url_key

log = logging.getLogger(__name__)

KEY_PREFIX = "hopper:media"
LOCK_PREFIX = "hopper:lock:media:"     # hopper:lock:* keys are watched by maintenance

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

    @property
    def host_share(self) -> int:
        """The slots one publisher's host may hold at once."""
        return max(1, self.slots // 2)


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
        pool = f"{KEY_PREFIX}:fetching:{self.limits.pool}"
        share = f"{pool}:host:{(urlsplit(url).hostname or '').lower()}"
        try:
            with self._slot(share, token, self.limits.host_share) as host_turn:
                if not host_turn.is_granted:
                    yield Turn(False, "this publisher is fetching its share of the site's "
                               "images", host_turn.busy_for_s)
                    return
                with self._slot(pool, token, self.limits.slots) as turn:
                    if not turn.is_granted:
                        yield Turn(False, "the site is fetching as many images as it may",
                                   turn.busy_for_s)
                        return
                    yield turn
        finally:
            self._quietly(lambda: self._release_lock(keys=[lock], args=[token]))

    @contextmanager
    def _slot(self, key: str, token: str, limit: int) -> Iterator[Turn]:
        """One of `limit` expiring slots of `key`, held for the block when granted (a
        Turn saying how long the youngest holder has run when not)."""
        try:
            is_granted = take_slot(self.client, key, token, limit=limit,
                                   hold_s=self.limits.lease_s)
        except redis.RedisError as error:
            log.warning("media gate: Redis unavailable, per-process limit only: %s", error)
            is_granted = True
        if not is_granted:
            yield Turn(False, busy_for_s=youngest_hold_age(self.client, key,
                                                             self.limits.lease_s))
            return
        try:
            yield Turn(True)
        finally:
            self._quietly(lambda: self.client.zrem(key, token))

    @staticmethod
    def _quietly(action: Callable[[], object]) -> None:
        try:
            action()
        except redis.RedisError as error:
            log.warning("media gate: lease not released (it expires on its own): %s", error)
