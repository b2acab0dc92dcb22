"""The garbage collector's settings for processes that poll and store feeds.

Such a process keeps a large heap that never becomes garbage (modules, the ORM's metadata,
the app, parse caches; a forked child inherits its parent's) and allocates many
short-lived containers per poll (parsed entries, story features). With the collector's
default thresholds every full collection scanned that whole heap again: on the 1,000-feed
benchmark (`bench/ingest.py`) collection took 5.1 % of a `hopper ingest` child's CPU,
twice as much with story clustering as without (0.9 % after `tune_collector`).
"""

from __future__ import annotations

import gc

# Allocations (net of deallocations) between two collections of the youngest generation:
# 700 by default. Cycles among a poll's objects live a few thousand allocations longer.
YOUNG_THRESHOLD = 10_000


def tune_collector() -> None:
    """Move everything this process holds now out of the collector's scans for good
    (`gc.freeze`: it is the process's lasting state, not garbage), and collect the
    youngest generation less often. Call once, at the start of a polling process."""
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, oldest)
