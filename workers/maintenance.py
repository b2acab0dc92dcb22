"""Maintenance tasks that the beat runs on the `maintenance` queue (task_routes
`workers.maintenance.*`), apart from polls so a long purge never delays ingest.

Each task is thin: it repeats one batch of a `models.retention` function in its own short
transaction until nothing is left (or a run's cap is reached; the next run continues).
All are safe to run twice or concurrently: they only delete what is already expired.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

import redis
from sqlalchemy.orm import Session

from models import retention
from models import stories as story_rows
from models.base import utcnow
from models.db import Database, session_scope
from workers.celery_app import app
from workers.ingest.stories.maintain_stories import merge_open_stories
from workers.runtime import runtime

logger = logging.getLogger(__name__)

MAX_BATCHES_PER_RUN = 200
LOCK_PATTERN = "hopper:lock:*"
# A lock found without an expiry (set by hand, or by a bug) gets this one, not deletion:
# its holder may still be working.
STALE_LOCK_SECONDS = 15 * 60
# EXPIRE … NX needs Redis 7; the embedded Redis is 6.2. Atomic either way.
_EXPIRE_IF_NONE = """
if redis.call('ttl', KEYS[1]) == -1 then
    return redis.call('expire', KEYS[1], ARGV[1])
end
return 0
"""


def purge(database: Database, delete_batch: Callable[[Session], int]) -> int:
    """Run `delete_batch` in one short write transaction after another until it deletes
    nothing; returns the total deleted."""
    total = 0
    for _ in range(MAX_BATCHES_PER_RUN):
        with session_scope(database) as session:
            deleted = delete_batch(session)
        total += deleted
        if deleted == 0:
            break
    return total


def expire_locks_without_ttl(client: redis.Redis, pattern: str = LOCK_PATTERN,
                             seconds: int = STALE_LOCK_SECONDS) -> int:
    """Give every lock that has no expiry one; returns how many were fixed."""
    fixed = 0
    for key in client.scan_iter(match=pattern, count=1000):
        if client.eval(_EXPIRE_IF_NONE, 1, key, seconds):
            fixed += 1
    return fixed


@app.task(name="workers.maintenance.delete_expired_articles", ignore_result=True)
def delete_expired_articles() -> int:
    """Delete articles past HOPPER_RETENTION_DAYS that are in no playlist and uncommented."""
    context = runtime()
    cutoff = utcnow() - timedelta(days=context.settings.retention_days)
    deleted = purge(context.database,
                    lambda session: retention.delete_expired_articles(session, cutoff))
    logger.info("deleted %d articles published before %s", deleted, cutoff.isoformat())
    return deleted


@app.task(name="workers.maintenance.delete_orphan_tags", ignore_result=True)
def delete_orphan_tags() -> int:
    deleted = purge(runtime().database, retention.delete_orphan_tags)
    logger.info("deleted %d tags no article carries", deleted)
    return deleted


@app.task(name="workers.maintenance.delete_expired_consent", ignore_result=True)
def delete_expired_consent() -> int:
    """Delete consent records past HOPPER_CONSENT_RETENTION_DAYS (privacy policy)."""
    context = runtime()
    cutoff = utcnow() - timedelta(days=context.settings.consent_retention_days)
    deleted = purge(context.database,
                    lambda session: retention.delete_expired_consent(session, cutoff))
    logger.info("deleted %d consent records created before %s", deleted, cutoff.isoformat())
    return deleted


@app.task(name="workers.maintenance.expire_stale_locks", ignore_result=True)
def expire_stale_locks() -> int:
    fixed = expire_locks_without_ttl(runtime().redis)
    if fixed:
        logger.warning("gave an expiry to %d locks that had none", fixed)
    return fixed


@app.task(name="workers.maintenance.merge_stories", ignore_result=True)
def merge_stories() -> int:
    """The merge alone, sent a few seconds after polls stored articles
    (workers.tasks.request_story_merge); maintain_stories below also runs it."""
    context = runtime()
    merged = merge_open_stories(context.database, window=context.settings.limits.story_window,
                                client=context.redis)
    if merged:
        logger.info("stories: merged %d", merged)
    return merged


@app.task(name="workers.maintenance.maintain_stories", ignore_result=True)
def maintain_stories() -> tuple[int, int]:
    """Merge open stories that converged, then close those quiet for longer than the
    story window (HOPPER_STORY_WINDOW_HOURS): closed stories leave the term index; closed
    stories whose articles retention deleted go too."""
    context = runtime()
    window = context.settings.limits.story_window
    merged = merge_open_stories(context.database, window=window, client=context.redis)
    now = utcnow()
    closed = purge(context.database, lambda session: story_rows.close_stale(
        session, quiet_since=now - window, now=now))
    emptied = purge(context.database, story_rows.delete_emptied)
    logger.info("stories: merged %d, closed %d, deleted %d emptied", merged, closed, emptied)
    return merged, closed
