"""The content version: one Redis counter that ingest bumps after it commits new or
changed articles, and that the site folds into its cache keys. Bumping it invalidates
every cached anonymous page at once, with no key scanning."""

from __future__ import annotations

import logging
from typing import Any

import redis

CONTENT_VERSION_KEY = "hopper:content-version"

log = logging.getLogger(__name__)


def bump(client: redis.Redis) -> int:
    value: Any = client.incr(CONTENT_VERSION_KEY)   # redis-py types sync and async alike
    return int(value)


def current(client: redis.Redis) -> int:
    value: Any = client.get(CONTENT_VERSION_KEY)
    return int(value) if value is not None else 0


def bump_after_commit(client: redis.Redis) -> None:
    """`bump`, best effort, after a commit: what was written stays whatever Redis says, and
    a missed bump only leaves cached pages stale until their short TTL runs out."""
    try:
        bump(client)
    except redis.RedisError as error:
        log.warning("content version not bumped (caches expire on their own): %s", error)
