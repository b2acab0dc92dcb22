"""What a task does when the database or Redis restarts under it: it tries again soon,
with growing, jittered delays (docs/architecture.md, "Celery and Redis"), instead of
failing its work for good or leaving it to an enqueue lease. For tasks that are safe to
run twice: every poll and delivery, and the follow-ups a poll sends once (lead image
checks, full-text pages, a new source's feed), which nothing would send again. The
periodic tasks need none: the beat sends them again."""

from __future__ import annotations

from typing import Any

import redis
from sqlalchemy.exc import OperationalError

TRANSIENT_ERRORS = (OperationalError, redis.ConnectionError, redis.TimeoutError)
# The task options that say so.
RETRY_TRANSIENT_ERRORS: dict[str, Any] = {
    "autoretry_for": TRANSIENT_ERRORS, "retry_backoff": 2, "retry_backoff_max": 60,
    "retry_jitter": True, "max_retries": 8}
