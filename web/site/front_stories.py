"""The stories page 1 of the home page shows above its latest-news river, remembered in
Redis so that the river's later pages need not work them out again.

Pages 2 and on leave those stories out, so that "Older" follows on without repeating
one. Working them out is the cost of page 1 — ranking RANK_CANDIDATES stories with
their members (models/stories.py), most read, the section blocks — and any number of
distinct `?page=` requests (or one page with junk added to its query string, which the
page cache does not store) would pay it each. Remembered per content version, as the
page cache keys pages, for the page cache's TTL, a later page costs one Redis read and
its own cards.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

import redis

from hopper import content_version
from web.extensions import redis_outage_tolerated

KEY_PREFIX = "hopper:front-stories:"


def front_stories(client: redis.Redis, *, ttl_s: int,
                  read_front: Callable[[], Collection[int]]) -> frozenset[int]:
    """The story ids page 1 shows at the current content version: remembered, or read
    (`read_front`) and remembered now. Without Redis they are read every time."""
    version: int | None = None
    stored: Any = None   # redis-py types sync and async alike
    with redis_outage_tolerated("front stories lookup"):
        version = content_version.current(client)
        stored = client.get(f"{KEY_PREFIX}{version}")
    if stored is not None:
        return frozenset(int(value) for value in stored.split())
    shown = frozenset(read_front())
    if version is not None:
        with redis_outage_tolerated("front stories store"):
            client.set(f"{KEY_PREFIX}{version}",
                       " ".join(str(value) for value in sorted(shown)), ex=ttl_s)
    return shown
