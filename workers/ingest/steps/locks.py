"""Per-source poll locks in Redis: one poll of a source at a time, across every worker.

A lock expires on its own (longer than a poll's hard time limit, so a killed worker
cannot block a source for ever) and is released only by its owner: redis-py's `Lock`
stores a random token and deletes the key with a compare-and-delete Lua script, so a slow
holder whose lock already expired never deletes the next holder's lock
(docs/architecture.md, "Celery and Redis").

A release that fails because Redis is unreachable (restarting) is not forgotten: the
key and token wait in this process's `_unreleased`, and the next lock operation retries
them first. Otherwise a poll that committed just as Redis went down would leave its lock
behind (Redis persists it) and the source's next polls would find it "locked" until it
expired.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

import redis
from redis.exceptions import LockError

from hopper.settings import Limits

LOCK_PREFIX = "hopper:lock:poll-source:"
# Margin past the hard time limit: a worker killed at the limit still holds its lock
# until well after the task is gone.
EXPIRY_MARGIN_S = 60

log = logging.getLogger(__name__)

# {lock key: token} of locks this process finished with but could not release (Redis
# was unreachable); retried before every later lock operation. Guarded: the CLI's
# threads share it.
_unreleased: dict[str, bytes] = {}
_unreleased_guard = threading.Lock()


def lock_expiry_s(limits: Limits) -> int:
    return limits.poll_hard_time_limit_s + EXPIRY_MARGIN_S


@contextmanager
def source_lock(client: redis.Redis, source_id: int, limits: Limits) -> Iterator[bool]:
    """Yield True when this caller holds the source's lock, False when another does.

    Never waits: a source already being polled needs no second poll.
    """
    release_unreleased(client)
    lock = client.lock(f"{LOCK_PREFIX}{source_id}", timeout=lock_expiry_s(limits),
                       blocking=False)
    token = uuid.uuid1().hex.encode()
    try:
        is_held = lock.acquire(blocking=False, token=token)
    except redis.RedisError as error:
        # The SET may have landed before the connection broke: make sure it goes.
        _remember_unreleased({lock.name: token}, error)
        raise
    try:
        yield is_held
    finally:
        if is_held:
            try:
                lock.release()
            except LockError:
                # It expired and maybe belongs to someone else now: leave it alone.
                log.warning("poll lock for source %s expired before release", source_id)
            except redis.RedisError as error:
                _remember_unreleased({lock.name: token}, error)


def locks_expire_in_s(client: redis.Redis, source_ids: Sequence[int]) -> dict[int, float]:
    """Seconds until each given source's lock lapses, for those locked now (one round
    trip). A poll that finds a source locked reschedules it for then: if the holder is
    gone (killed, or its reply lost in a Redis restart), nobody else would."""
    pipe = client.pipeline(transaction=False)
    for source_id in source_ids:
        pipe.pttl(f"{LOCK_PREFIX}{source_id}")
    try:
        ttls = pipe.execute()
    except redis.RedisError as error:   # best effort: the lease still brings them back
        log.warning("could not read the poll locks' expiry: %s", error)
        return {}
    return {source_id: ttl_ms / 1000
            for source_id, ttl_ms in zip(source_ids, ttls, strict=True)
            if isinstance(ttl_ms, int) and ttl_ms > 0}


def release_unreleased(client: redis.Redis) -> None:
    """Retry the releases that failed while Redis was unreachable (each only if the lock
    is still ours). Cheap when there are none: no round trip."""
    if not _unreleased:
        return
    with _unreleased_guard:
        pending = dict(_unreleased)
        _unreleased.clear()
    try:
        _release_keys(client, pending)
    except redis.RedisError as error:
        _remember_unreleased(pending, error)
        return
    log.info("released %s poll locks left over from a Redis outage", len(pending))


def _remember_unreleased(tokens: Mapping[str, bytes], error: Exception) -> None:
    # The poll is stored; the lock is released as soon as Redis answers again (or
    # lapses on its own if this process ends first).
    log.warning("%s poll locks not released (Redis: %s); retrying on the next poll",
                len(tokens), error)
    with _unreleased_guard:
        _unreleased.update(tokens)


# redis-py's own compare-and-delete: a batch's locks are the same keys and tokens as a
# `Lock`'s, so a worker's poll and a CLI batch exclude each other exactly as before.
_RELEASE_SCRIPT = """
if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('del', KEYS[1])
return 1
"""


def acquire_many(client: redis.Redis, source_ids: Sequence[int],
                 limits: Limits) -> dict[int, bytes]:
    """Take the locks of every given source that nobody holds, in one round trip;
    returns {source id: token} of those taken. Never waits."""
    release_unreleased(client)
    tokens = {source_id: uuid.uuid4().hex.encode() for source_id in source_ids}
    pipe = client.pipeline(transaction=False)
    for source_id, token in tokens.items():
        pipe.set(f"{LOCK_PREFIX}{source_id}", token, nx=True, ex=lock_expiry_s(limits))
    try:
        taken = pipe.execute()
    except redis.RedisError as error:
        # Some SETs may have landed before the connection broke: make sure they go.
        _remember_unreleased({f"{LOCK_PREFIX}{source_id}": token
                              for source_id, token in tokens.items()}, error)
        raise
    return {source_id: token for (source_id, token), is_taken in zip(tokens.items(), taken,
                                                                     strict=True) if is_taken}


def release_many(client: redis.Redis, tokens: Mapping[int, bytes]) -> None:
    """Release locks taken by `acquire_many`, each only if still ours, in one round trip."""
    if not tokens:
        return
    keys = {f"{LOCK_PREFIX}{source_id}": token for source_id, token in tokens.items()}
    try:
        released = _release_keys(client, keys)
    except redis.RedisError as error:
        _remember_unreleased(keys, error)
        return
    for source_id, is_released in zip(tokens, released, strict=True):
        if not is_released:
            log.warning("poll lock for source %s expired before release", source_id)


def _release_keys(client: redis.Redis, tokens: Mapping[str, bytes]) -> list[bool]:
    release = client.register_script(_RELEASE_SCRIPT)
    pipe = client.pipeline(transaction=False)
    for key, token in tokens.items():
        release(keys=[key], args=[token], client=pipe)
    return [bool(done) for done in pipe.execute()]
