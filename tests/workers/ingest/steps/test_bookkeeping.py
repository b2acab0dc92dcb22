"""What a poll's outcome does to its source: pure decisions, no database."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from hopper.settings import Limits
from models.sources import SourceStatus
from workers.ingest.steps.bookkeeping import (
    ERROR_MAX,
    FAILING,
    GONE,
    PAUSED,
    after_failure,
    must_quarantine,
    name_after_poll,
    next_poll_with_push,
    quarantine,
    whole_validator,
)

LIMITS = Limits(min_interval_minutes=10, max_interval_minutes=24 * 60,
                max_backoff_minutes=24 * 60)
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def test_statuses_are_the_models_statuses() -> None:
    assert {FAILING, GONE, PAUSED} <= {status.value for status in SourceStatus}


def test_gone_stops_polling_with_a_strike_and_keeps_the_claimed_time() -> None:
    verdict = after_failure(outcome="gone", error="HTTP 410", is_permanent=True,
                            retry_after=None, error_count=2, interval_minutes=60, now=NOW,
                            limits=LIMITS, rng=random.Random(1))
    assert (verdict.status, verdict.error, verdict.error_count, verdict.next_poll_at) \
        == (GONE, "HTTP 410", 3, None)


def test_a_permanent_failure_pauses_the_source() -> None:
    verdict = after_failure(outcome="failed", error="blocked address", is_permanent=True,
                            retry_after=None, error_count=0, interval_minutes=60, now=NOW,
                            limits=LIMITS, rng=random.Random(1))
    assert (verdict.status, verdict.error_count, verdict.next_poll_at) == (PAUSED, 1, None)


def test_a_rate_limit_waits_as_asked_and_is_no_strike() -> None:
    asked = NOW + timedelta(hours=3)
    verdict = after_failure(outcome="rate_limited", error=None, is_permanent=False,
                            retry_after=asked, error_count=4, interval_minutes=60, now=NOW,
                            limits=LIMITS, rng=random.Random(1))
    assert (verdict.status, verdict.error, verdict.error_count, verdict.next_poll_at) \
        == (FAILING, "rate_limited", 4, asked)


@pytest.mark.parametrize("error_count", [0, 1, 2, 5])
def test_a_transient_failure_is_a_strike_with_exponential_backoff(error_count: int) -> None:
    verdict = after_failure(outcome="failed", error="timeout", is_permanent=False,
                            retry_after=None, error_count=error_count, interval_minutes=60,
                            now=NOW, limits=LIMITS, rng=random.Random(7))
    assert verdict.status == FAILING and verdict.error_count == error_count + 1
    assert verdict.next_poll_at is not None
    expected = min(60 * 2 ** error_count, LIMITS.max_backoff_minutes)
    waited = (verdict.next_poll_at - NOW) / timedelta(minutes=1)
    assert 0.8 * expected <= waited <= min(1.2 * expected, LIMITS.max_backoff_minutes)


def test_the_recorded_error_is_bounded() -> None:
    verdict = after_failure(outcome="failed", error="x" * (ERROR_MAX * 3), is_permanent=False,
                            retry_after=None, error_count=0, interval_minutes=60, now=NOW,
                            limits=LIMITS, rng=random.Random(1))
    assert len(verdict.error) == ERROR_MAX


def test_quarantine_after_three_unfinished_polls_rests_the_source() -> None:
    assert [must_quarantine(count) for count in range(5)] == [False, False, False, True, True]
    verdict = quarantine(unfinished_polls=3, error_count=1, now=NOW, limits=LIMITS)
    assert verdict.status == FAILING and verdict.error_count == 2
    assert verdict.error.startswith("quarantined: 3 polls started and never finished")
    assert verdict.next_poll_at == NOW + timedelta(minutes=LIMITS.max_backoff_minutes)


def test_validators_are_kept_whole_or_not_at_all() -> None:
    assert whole_validator('"abc"', 512) == '"abc"'
    assert whole_validator("x" * 513, 512) is None
    assert whole_validator(None, 512) is None


def test_a_pushing_source_is_polled_only_as_a_slow_fallback() -> None:
    fallback = NOW + timedelta(minutes=LIMITS.push_fallback_poll_minutes)
    assert next_poll_with_push(NOW + timedelta(minutes=30), NOW, LIMITS) == fallback
    later = fallback + timedelta(days=1)
    assert next_poll_with_push(later, NOW, LIMITS) == later


@pytest.mark.parametrize(("name", "title", "expected"), [
    ("", "Café du Port", "Café du Port"),
    ("CafÃ© du Port", "Café du Port", "Café du Port"),
    ("CafÃƒÂ© du Port", "Café du Port", "Café du Port"),        # misread twice
    ("Caf&eacute; du Port", "Café du Port", "Café du Port"),
    ("Caf&amp;eacute; du Port", "Café du Port", "Café du Port"),
    ("\u200bCafé du\ufeff Port", "Café du Port", "Café du Port"),   # stored before
    ("Le Café", "Café du Port", "Le Café"),                      # the operator's
    ("Harbour News", "Café du Port", "Harbour News"),             # an older title
    ("Café du Port", "CafÃ© du Port", "Café du Port"),           # never made worse
    ("Café du Port", None, "Café du Port"),
    ("", "  ", ""),
])
def test_a_poll_names_a_source_only_when_unnamed_or_named_by_its_title_garbled(
        name: str, title: str | None, expected: str) -> None:
    assert name_after_poll(name, title) == expected
