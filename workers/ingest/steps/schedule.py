"""When to poll a source next: pure functions over times and limits, no I/O.

- A healthy source is polled about twice per publishing gap (the median gap between its
  latest entries), slower when it has been quiet, always within the limits' minimum and
  maximum; a per-source override wins.
- A failing source backs off exponentially from its interval, with jitter, capped.
- A rate-limited source (429/503) waits at least as long as Retry-After asked.
- Every next time carries a little jitter so sources added together drift apart.
- A publisher's own word on how often to come back (Cache-Control max-age / Expires,
  RSS <ttl>, sy:updatePeriod — see freshness.py) is a lower bound on the interval and on
  the next poll, capped at a day, as Miniflux and reader do. The interval remembers it:
  after a 304 that repeats nothing (feed elements come only with a body), the next poll
  is that interval with the usual jitter.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from datetime import datetime, timedelta
from statistics import median

from hopper.settings import Limits
from workers.ingest.freshness import PublisherHints

# How many latest entries say how often a source publishes.
GAP_SAMPLE = 12
# A poll that started this many times without finishing (its worker killed each time)
# puts the source in quarantine.
QUARANTINE_AFTER_UNFINISHED = 3
SUCCESS_JITTER = 0.1
BACKOFF_JITTER = 0.2
# A source that published nothing for longer than this many intervals slows down.
QUIET_INTERVALS = 2
QUIET_GROWTH = 1.5
# The longest a publisher's caching headers or feed elements can hold polls back.
MAX_PUBLISHER_WAIT = timedelta(hours=24)


def clamp_interval(minutes: float, limits: Limits) -> int:
    return int(min(max(minutes, limits.min_interval_minutes), limits.max_interval_minutes))


def publishing_gap(published_at: Iterable[datetime]) -> timedelta | None:
    """The median gap between the latest entries, or None with fewer than two dates."""
    times = sorted(set(published_at), reverse=True)[:GAP_SAMPLE]
    if len(times) < 2:
        return None
    gaps = [(newer - older).total_seconds() for newer, older in zip(times, times[1:],
                                                                   strict=False)]
    return timedelta(seconds=median(gaps))


def publisher_wait(hints: PublisherHints | None) -> timedelta | None:
    """The publisher's lower bound on the time to the next poll (the longest of what its
    signals say), at most MAX_PUBLISHER_WAIT; None when it said nothing."""
    longest = hints.longest_s if hints is not None else None
    if longest is None:
        return None
    return min(timedelta(seconds=longest), MAX_PUBLISHER_WAIT)


def adapt_interval(*, current_minutes: int, override_minutes: int | None,
                   published_at: Iterable[datetime], last_new_entry_at: datetime | None,
                   now: datetime, limits: Limits,
                   publisher_wait: timedelta | None = None) -> int:
    """The interval to use from now on, in minutes, never shorter than `publisher_wait`
    (kept in the interval, so a 304 without the feed's <ttl> still honours it).

    With entry dates (a 200): half the publishing gap, or a quarter of the time since the
    newest entry when that is longer (a feed whose last burst was months ago slows down).
    Without (a 304): keep the interval, growing it while the source stays quiet.
    """
    interval = _adapt_interval(current_minutes=current_minutes,
                               override_minutes=override_minutes, published_at=published_at,
                               last_new_entry_at=last_new_entry_at, now=now, limits=limits)
    if publisher_wait is None:
        return interval
    return max(interval, math.ceil(publisher_wait.total_seconds() / 60))


def _adapt_interval(*, current_minutes: int, override_minutes: int | None,
                    published_at: Iterable[datetime], last_new_entry_at: datetime | None,
                    now: datetime, limits: Limits) -> int:
    if override_minutes:
        return max(1, override_minutes)
    dates = list(published_at)
    gap = publishing_gap(dates)
    if gap is not None:
        since_newest = now - max(dates)
        target = max(gap / 2, since_newest / 4)
        return clamp_interval(target.total_seconds() / 60, limits)
    quiet_for = now - last_new_entry_at if last_new_entry_at else None
    if quiet_for is None or quiet_for > timedelta(minutes=current_minutes * QUIET_INTERVALS):
        return clamp_interval(current_minutes * QUIET_GROWTH, limits)
    return clamp_interval(current_minutes, limits)


def next_poll_after_success(now: datetime, interval_minutes: int, rng: random.Random,
                            publisher_wait: timedelta | None = None) -> datetime:
    """The interval, jittered, but never before the publisher asked."""
    spread = rng.uniform(1 - SUCCESS_JITTER, 1 + SUCCESS_JITTER)
    jittered = now + timedelta(minutes=interval_minutes * spread)
    return max(jittered, now + publisher_wait) if publisher_wait else jittered


def backoff_delay(error_count: int, interval_minutes: int, limits: Limits,
                  rng: random.Random) -> timedelta:
    """Exponential from the interval (1×, 2×, 4×… for the 1st, 2nd, 3rd… error in a row),
    jittered by ±20 %, never past `limits.max_backoff_minutes`."""
    exponent = min(max(error_count - 1, 0), 20)
    minutes = min(interval_minutes * 2 ** exponent, limits.max_backoff_minutes)
    minutes *= rng.uniform(1 - BACKOFF_JITTER, 1 + BACKOFF_JITTER)
    return timedelta(minutes=max(1.0, min(minutes, limits.max_backoff_minutes)))


def next_poll_after_rate_limit(now: datetime, retry_after: datetime | None,
                               interval_minutes: int, limits: Limits) -> datetime:
    """Never before Retry-After (RFC 9110 §10.2.3), never sooner than the usual interval,
    and never later than the longest backoff, however far away the server asks."""
    usual = now + timedelta(minutes=interval_minutes)
    if retry_after is None:
        return usual
    latest = now + timedelta(minutes=limits.max_backoff_minutes)
    return max(usual, min(retry_after, latest))


def quarantine_delay(limits: Limits) -> timedelta:
    return timedelta(minutes=limits.max_backoff_minutes)


def enqueue_lease(limits: Limits) -> timedelta:
    """How far the beat tick pushes a source's next poll when it enqueues it.

    The poll sets the real next time when it finishes; the lease only stops the next ticks
    from enqueueing it again meanwhile, and brings it back if the task was lost.
    """
    return timedelta(seconds=max(limits.poll_hard_time_limit_s * 4, 300))
