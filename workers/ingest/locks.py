"""Per-source poll locks in Redis: one poll of a source at a time, across every worker.

A lock expires on its own (longer than a poll's hard time limit, so a killed worker
cannot block a source for ever) and is released only by its owner: redis-py's `Lock`
stores a random token and deletes the key with a compare-and-delete Lua script, so a slow
holder whose lock already expired never deletes the next holder's lock
(docs/architecture.md, "Celery and Redis").
"""

from __future__ import annotations

import logging
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


def lock_expiry_s(limits: Limits) -> int:
    return limits.poll_hard_time_limit_s + EXPIRY_MARGIN_S


@contextmanager
def source_lock(client: redis.Redis, source_id: int, limits: Limits) -> Iterator[bool]:
    """Yield True when this caller holds the source's lock, False when another does.

    Never waits: a source already being polled needs no second poll.
    """
    lock = client.lock(f"{LOCK_PREFIX}{source_id}", timeout=lock_expiry_s(limits),
                       blocking=False)
    is_held = lock.acquire(blocking=False)
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
                # The poll is stored; an unreleased lock expires on its own.
                log.warning("poll lock for source %s not released: %s", source_id, error)


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
    tokens = {source_id: uuid.uuid4().hex.encode() for source_id in source_ids}
    pipe = client.pipeline(transaction=False)
    for source_id, token in tokens.items():
        pipe.set(f"{LOCK_PREFIX}{source_id}", token, nx=True, ex=lock_expiry_s(limits))
    taken = pipe.execute()
    return {source_id: token for (source_id, token), is_taken in zip(tokens.items(), taken,
                                                                     strict=True) if is_taken}


def release_many(client: redis.Redis, tokens: Mapping[int, bytes]) -> None:
    """Release locks taken by `acquire_many`, each only if still ours, in one round trip."""
    if not tokens:
        return
    release = client.register_script(_RELEASE_SCRIPT)
    pipe = client.pipeline(transaction=False)
    for source_id, token in tokens.items():
        release(keys=[f"{LOCK_PREFIX}{source_id}"], args=[token], client=pipe)
    for source_id, released in zip(tokens, pipe.execute(), strict=True):
        if not released:
            log.warning("poll lock for source %s expired before release", source_id)
