"""The polling policy: pure functions over times and limits."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hopper.settings import Limits
from workers.ingest.steps.schedule import (
    adapt_interval,
    backoff_delay,
    enqueue_lease,
    next_poll_after_rate_limit,
    next_poll_after_success,
    publishing_gap,
)

LIMITS = Limits(min_interval_minutes=10, max_interval_minutes=24 * 60,
                max_backoff_minutes=24 * 60)
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def every(minutes: int, count: int, newest: datetime = NOW) -> list[datetime]:
    return [newest - timedelta(minutes=minutes * index) for index in range(count)]


def test_publishing_gap_is_the_median_of_the_latest_gaps() -> None:
    dates = every(60, 10) + [NOW - timedelta(days=300)]      # one outlier barely counts
    assert publishing_gap(dates) == timedelta(minutes=60)
    assert publishing_gap([NOW]) is None
    assert publishing_gap([NOW, NOW]) is None                # duplicates are one date


def test_an_hourly_source_is_polled_every_half_hour() -> None:
    assert adapt_interval(current_minutes=30, override_minutes=None,
                          published_at=every(60, 10), last_new_entry_at=NOW,
                          now=NOW, limits=LIMITS) == 30


def test_a_busy_source_is_polled_no_faster_than_the_minimum() -> None:
    assert adapt_interval(current_minutes=30, override_minutes=None,
                          published_at=every(1, 30), last_new_entry_at=NOW,
                          now=NOW, limits=LIMITS) == LIMITS.min_interval_minutes


def test_a_source_quiet_for_months_is_polled_at_the_maximum() -> None:
    old = every(10, 10, newest=NOW - timedelta(days=90))
    assert adapt_interval(current_minutes=30, override_minutes=None, published_at=old,
                          last_new_entry_at=None, now=NOW,
                          limits=LIMITS) == LIMITS.max_interval_minutes


def test_the_per_source_override_wins() -> None:
    assert adapt_interval(current_minutes=30, override_minutes=5, published_at=every(1, 30),
                          last_new_entry_at=NOW, now=NOW, limits=LIMITS) == 5


def test_without_dates_a_recently_active_source_keeps_its_interval() -> None:
    assert adapt_interval(current_minutes=60, override_minutes=None, published_at=[],
                          last_new_entry_at=NOW - timedelta(minutes=30), now=NOW,
                          limits=LIMITS) == 60


def test_without_dates_a_quiet_source_slows_down_up_to_the_maximum() -> None:
    interval = 60
    for _ in range(30):
        interval = adapt_interval(current_minutes=interval, override_minutes=None,
                                  published_at=[], last_new_entry_at=NOW - timedelta(days=30),
                                  now=NOW, limits=LIMITS)
    assert interval == LIMITS.max_interval_minutes


def test_backoff_doubles_per_error_with_jitter_and_is_capped() -> None:
    rng = random.Random(7)
    delays = [backoff_delay(count, 30, LIMITS, rng) for count in range(1, 12)]
    assert timedelta(minutes=24) <= delays[0] <= timedelta(minutes=36)
    assert timedelta(minutes=48) <= delays[1] <= timedelta(minutes=72)
    assert timedelta(minutes=96) <= delays[2] <= timedelta(minutes=144)
    assert all(delay <= timedelta(minutes=LIMITS.max_backoff_minutes) for delay in delays)
    assert delays[-1] >= timedelta(minutes=LIMITS.max_backoff_minutes * 0.8)


def test_backoff_jitter_spreads_sources_that_failed_together() -> None:
    rng = random.Random(1)
    assert len({backoff_delay(3, 30, LIMITS, rng) for _ in range(20)}) > 10


def test_success_schedules_about_one_interval_ahead() -> None:
    rng = random.Random(3)
    for _ in range(50):
        delay = next_poll_after_success(NOW, 30, rng) - NOW
        assert timedelta(minutes=27) <= delay <= timedelta(minutes=33)


def test_rate_limit_waits_for_retry_after_but_not_forever() -> None:
    soon = NOW + timedelta(minutes=5)
    later = NOW + timedelta(hours=3)
    absurd = NOW + timedelta(days=365)
    assert next_poll_after_rate_limit(NOW, soon, 30, LIMITS) == NOW + timedelta(minutes=30)
    assert next_poll_after_rate_limit(NOW, later, 30, LIMITS) == later
    assert next_poll_after_rate_limit(NOW, absurd, 30, LIMITS) == \
        NOW + timedelta(minutes=LIMITS.max_backoff_minutes)
    assert next_poll_after_rate_limit(NOW, None, 30, LIMITS) == NOW + timedelta(minutes=30)


def test_the_enqueue_lease_outlasts_a_poll() -> None:
    assert enqueue_lease(LIMITS) > timedelta(seconds=LIMITS.poll_hard_time_limit_s)


def test_a_publishers_wait_is_a_lower_bound_on_the_interval_and_the_next_poll() -> None:
    hourly_feed = dict(current_minutes=30, override_minutes=None,
                       published_at=every(60, 10), last_new_entry_at=NOW, now=NOW,
                       limits=LIMITS)
    assert adapt_interval(**hourly_feed) == 30                          # type: ignore[arg-type]
    assert adapt_interval(**hourly_feed,                                # type: ignore[arg-type]
                          publisher_wait=timedelta(minutes=90, seconds=1)) == 91
    assert adapt_interval(**hourly_feed,                                # type: ignore[arg-type]
                          publisher_wait=timedelta(minutes=5)) == 30   # shorter: no effect
    # An admin's override is raised to it too: it is the publisher's request.
    assert adapt_interval(**dict(hourly_feed, override_minutes=15),     # type: ignore[arg-type]
                          publisher_wait=timedelta(hours=2)) == 120
    rng = random.Random(1)
    for _ in range(50):     # the jitter never brings the next poll before the wait
        assert next_poll_after_success(NOW, 30, rng, timedelta(hours=2)) \
            >= NOW + timedelta(hours=2)
