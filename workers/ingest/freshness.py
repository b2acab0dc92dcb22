"""What a publisher says about how often to come back: read, not decided (pure, no I/O).

- HTTP caching (RFC 9111): `Cache-Control: max-age`, else `Expires` minus `Date`
  (§4.2.1); `no-cache` / `no-store` ask for no such wait;
- RSS 2.0 `<ttl>` (minutes);
- RSS 1.0 Syndication module `sy:updatePeriod` (hourly, daily, weekly, monthly, yearly)
  and `sy:updateFrequency` (times per period, default 1).

Feed elements are read from the document's head (before its first item or entry) with
a small scanner, one pass, the same whatever parser reads the entries. What the schedule does with
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
# The first item or entry (where the head ends) and each hint element, in one pass. Any
# namespace prefix is taken whole (`++`: no shorter one could be followed by `:`). A
# hint's value ends where the next tag begins, a `<` left unconsumed: no match holds a
# `<` past its first, so every tag is looked at, as a search per element would.
_HEAD_TAG = re.compile(
    rb"<(?:[\w-]++:)?(?:"
    rb"(?P<item>(?:item|entry)[\s>/])"
    rb"|ttl(?:\s[^<>]*)?>\s*(?P<ttl>\d{1,9})\s*(?=<)"
    rb"|updatePeriod(?:\s[^<>]*)?>\s*(?P<period>[A-Za-z]{1,16})\s*(?=<)"
    rb"|updateFrequency(?:\s[^<>]*)?>\s*(?P<frequency>\d{1,9})\s*(?=<)"
    rb")")
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
    found = _head_values(content)
    return PublisherHints(cache_lifetime_s=cache_lifetime_s(headers),
                          ttl_s=_ttl_s(found.get("ttl")),
                          update_period_s=_update_period_s(found.get("period"),
                                                           found.get("frequency")))


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


def _head_values(content: bytes) -> dict[str, bytes]:
    """The first value of each hint element of the head: the first HEAD_BYTES, up to the
    first item or entry."""
    found: dict[str, tuple[bytes, int]] = {}
    for tag in _HEAD_TAG.finditer(content, 0, HEAD_BYTES):
        if tag["item"] is not None:
            # The head ends before this tag, so a value it closes is cut off.
            return {name: value for name, (value, end) in found.items()
                    if end < tag.start()}
        name = tag.lastgroup or ""
        found.setdefault(name, (tag[name], tag.end()))
    return {name: value for name, (value, _end) in found.items()}


def _ttl_s(ttl: bytes | None) -> float | None:
    return float(ttl) * 60 if ttl is not None else None


def _update_period_s(period: bytes | None, frequency: bytes | None) -> float | None:
    if period is None and frequency is None:
        return None
    # Either may be omitted: the period defaults to daily, the frequency to 1.
    seconds = PERIOD_SECONDS.get(period.decode().lower() if period is not None else "daily")
    if seconds is None:
        return None
    times = int(frequency) if frequency is not None else 1
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
