"""The garbage collector's settings for processes that poll and store feeds.

Such a process keeps a large heap that never becomes garbage (modules, the ORM's metadata,
the app, parse caches; a forked child inherits its parent's) and allocates many
short-lived containers per poll (parsed entries, story features). With the collector's
default thresholds every full collection scans that whole heap again, and story
clustering, which allocates more per entry, makes collections more frequent still.
`tune_collector` freezes the lasting heap out of the scans and collects the youngest
generation less often, so that collection stays a small share of a polling process's CPU
(`hopper ingest` in one process: 8 % less CPU on the 1,000-feed first pass).
The benchmark is `bench/ingest.py`: entries per second and, with `--stories-overhead`,
the CPU story clustering adds to `hopper ingest --all`.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

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


@contextmanager
def collector_tuned() -> Iterator[None]:
    """`tune_collector` for the duration of the block, the collector as it was after:
    for `hopper ingest` polling in its own process (no child to tune), which may be a
    caller's process that lives on (a test, a benchmark). What was frozen is let go
    again, so the garbage it becomes can still be collected."""
    threshold = gc.get_threshold()
    tune_collector()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
