"""The beat guard: exactly one `celery beat` sends the schedule, however many run.

`LockedScheduler` ticks only while it holds a Redis lock (`SET NX PX` with a random
token). The holder renews the lock on every tick, checking its token first, so a beat
that lost the lock (paused longer than the expiry, or Redis restarted empty) never
renews somebody else's. Every other beat stands by and retries; when the holder dies,
its lock expires and one of them takes over within `beat_lock_seconds`.

A takeover may send a tick early (the new holder's entries are due at once). That is
harmless: the tick only enqueues sources that the database says are due.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

import redis
from celery.beat import PersistentScheduler

from hopper.redis_client import BEAT, connect
from hopper.settings import load_settings

BEAT_LOCK_KEY = "hopper:lock:beat"

logger = logging.getLogger(__name__)

# Extend the expiry only if the lock still carries our token (KEYS[1], ARGV token, ms).
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


class BeatLock:
    """A token-checked, expiring Redis lock that one beat holds and keeps renewing."""

    def __init__(self, client: redis.Redis, *, key: str = BEAT_LOCK_KEY,
                 seconds: float = 30.0) -> None:
        self.client = client
        self.key = key
        self.ttl_ms = int(seconds * 1000)
        self.token = secrets.token_hex(16)
        self.is_held = False

    def hold(self) -> bool:
        """Renew the lock if it is ours, else try to take it; True while we hold it."""
        if self.is_held and self.client.eval(_RENEW, 1, self.key, self.token, self.ttl_ms):
            return True
        self.is_held = bool(self.client.set(self.key, self.token, nx=True, px=self.ttl_ms))
        return self.is_held

    def release(self) -> None:
        if self.is_held:
            self.client.eval(_RELEASE, 1, self.key, self.token)
            self.is_held = False


class LockedScheduler(PersistentScheduler):
    """A PersistentScheduler that sends due tasks only while it holds the beat lock."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        settings = load_settings()
        self.lock_seconds = float(settings.beat_lock_seconds)
        # Renew well before expiry; a standby beat checks as often.
        self.renew_seconds = max(self.lock_seconds / 3, 0.2)
        self._lock: BeatLock | None = None
        self._redis_url = settings.redis_url
        super().__init__(*args, **kwargs)

    @property
    def lock(self) -> BeatLock:
        if self._lock is None:
            client = connect(self._redis_url, BEAT)
            self._lock = BeatLock(client, seconds=self.lock_seconds)
        return self._lock

    def tick(self, *args: Any, **kwargs: Any) -> float:
        was_held = self.lock.is_held
        try:
            is_held = self.lock.hold()
        except redis.RedisError as error:
            # Without Redis there is no broker either: wait and try again.
            logger.warning("beat lock unreachable (%s); retrying", error)
            self.lock.is_held = False
            return self.renew_seconds
        if is_held != was_held:
            logger.info("beat: %s the beat lock %s", "took" if is_held else "lost",
                        self.lock.key)
        if not is_held:
            return self.renew_seconds
        return min(float(super().tick(*args, **kwargs)), self.renew_seconds)

    def close(self) -> None:
        try:
            if self._lock is not None:
                self._lock.release()
        except redis.RedisError as error:
            logger.warning("could not release the beat lock (%s); it will expire", error)
        super().close()
