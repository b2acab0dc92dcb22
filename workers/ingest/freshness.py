"""What a publisher says about how often to come back: read, not decided (pure, no I/O).

- HTTP caching (RFC 9111): `Cache-Control: max-age`, else `Expires` minus `Date`
  (§4.2.1); `no-cache` / `no-store` ask for no such wait;
- RSS 2.0 `<ttl>` (minutes);
- RSS 1.0 Syndication module `sy:updatePeriod` (hourly, daily, weekly, monthly, yearly)
  and `sy:updateFrequency` (times per period, default 1).

Feed elements are read from the document's head (before its first item or entry) with
a small scanner, the same whatever parser reads the entries. What the schedule does with
them lives in `schedule.publisher_wait`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

# Channel elements come before the items; a feed's head is far smaller than this.
HEAD_BYTES = 64 * 1024
_FIRST_ITEM = re.compile(rb"<(?:[\w-]+:)?(?:item|entry)[\s>/]")
_TTL = re.compile(rb"<(?:[\w-]+:)?ttl(?:\s[^<>]*)?>\s*(\d{1,9})\s*<")
_UPDATE_PERIOD = re.compile(
    rb"<(?:[\w-]+:)?updatePeriod(?:\s[^<>]*)?>\s*([A-Za-z]{1,16})\s*<")
_UPDATE_FREQUENCY = re.compile(rb"<(?:[\w-]+:)?updateFrequency(?:\s[^<>]*)?>\s*(\d{1,9})\s*<")
_MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d{1,12})", re.IGNORECASE)
_NO_WAIT = re.compile(r"(?:^|[,\s])no-(?:cache|store)\b", re.IGNORECASE)

PERIOD_SECONDS = {"hourly": 3600, "daily": 86400, "weekly": 7 * 86400,
                  "monthly": 30 * 86400, "yearly": 365 * 86400}


@dataclass(frozen=True, slots=True)
class PublisherHints:
    """How long the publisher asked us to wait, per signal, in seconds (None: unsaid)."""

    cache_lifetime_s: float | None = None      # max-age, or Expires − Date
    ttl_s: float | None = None                 # RSS <ttl>
    update_period_s: float | None = None       # sy:updatePeriod / sy:updateFrequency

    @property
    def longest_s(self) -> float | None:
        said = [s for s in (self.cache_lifetime_s, self.ttl_s, self.update_period_s)
                if s is not None and s > 0]
        return max(said) if said else None


def read_hints(headers: Mapping[str, str], content: bytes = b"") -> PublisherHints:
    """Hints from lower-cased response headers and, for a 200, the feed's bytes."""
    head = _head(content)
    return PublisherHints(cache_lifetime_s=cache_lifetime_s(headers),
                          ttl_s=_ttl_s(head), update_period_s=_update_period_s(head))


def cache_lifetime_s(headers: Mapping[str, str]) -> float | None:
    cache_control = headers.get("cache-control", "")
    if _NO_WAIT.search(cache_control):
        return None
    max_age = _MAX_AGE.search(cache_control)
    if max_age:                                  # max-age wins over Expires (§5.3)
        return float(max_age.group(1))
    expires = _http_date(headers.get("expires"))
    if expires is None:
        return None                              # absent, or "0"/"-1": already stale
    sent = _http_date(headers.get("date")) or datetime.now(UTC)
    return max((expires - sent).total_seconds(), 0.0)


def _head(content: bytes) -> bytes:
    head = content[:HEAD_BYTES]
    first = _FIRST_ITEM.search(head)
    return head[:first.start()] if first else head


def _ttl_s(head: bytes) -> float | None:
    found = _TTL.search(head)
    return float(found.group(1)) * 60 if found else None


def _update_period_s(head: bytes) -> float | None:
    period = _UPDATE_PERIOD.search(head)
    frequency = _UPDATE_FREQUENCY.search(head)
    if period is None and frequency is None:
        return None
    # Either may be omitted: the period defaults to daily, the frequency to 1.
    seconds = PERIOD_SECONDS.get(period.group(1).decode().lower() if period else "daily")
    if seconds is None:
        return None
    times = int(frequency.group(1)) if frequency else 1
    return seconds / max(times, 1)


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value.strip())
        # OverflowError: 9999-12-31 23:59 -0100 is beyond datetime.max once in UTC.
        return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
