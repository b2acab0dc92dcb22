"""Bookkeeping: what a poll's outcome does to its source, decided without a database.

`store.py` reads the source's row, asks these functions, and writes their answer in the
poll's own transaction; here are only the rules, so they can be read and tested alone:

- a failed poll (`after_failure`): 410 Gone stops polling; a permanent failure (an
  address we refuse, an invalid URL) pauses the source until an admin changes it; a
  rate limit (429/503 with Retry-After) waits as asked and is never a strike against the
  feed; any other failure is a strike, retried with exponential backoff (`schedule`);
- a duplicate (`duplicate_of`): a feed that moved permanently onto a URL another source
  polls is paused, its body not stored (it would copy that source's articles);
- a note (`success_note`) on a healthy source whose feed holds only entries older than
  the retention window, so an operator sees why it shows nothing, or whose declared
  charset was wrong;
- quarantine (`must_quarantine`, `quarantine`): a source whose polls keep starting and
  never finishing (the worker was killed while polling it) rests instead of being polled;
- validators (`whole_validator`): an ETag or Last-Modified is kept whole or not at all;
- the name (`name_after_poll`): the feed's title names a source that has no name, and
  replaces a name that is merely that title garbled (mojibake, escaped twice);
- push (`next_poll_with_push`): a source whose hub pushes is polled only as a slow fallback.

Statuses are the strings of `models.sources.SourceStatus` (this module may not import
`models`: the import contracts keep it pure).
"""

from __future__ import annotations

import contextlib
import html
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from hopper.settings import Limits
from hopper.text import without_invisibles
from workers.ingest.steps import schedule

FAILING = "failing"
GONE = "gone"
PAUSED = "paused"

ERROR_MAX = 2000


@dataclass(frozen=True)
class Verdict:
    """What a failed poll, or a quarantine, writes on its source."""

    status: str
    error: str
    error_count: int
    next_poll_at: datetime | None    # None: keep the time the poll's claim set


def after_failure(*, outcome: str, error: str | None, is_permanent: bool,
                  retry_after: datetime | None, error_count: int, interval_minutes: int,
                  now: datetime, limits: Limits, rng: random.Random) -> Verdict:
    """The source's status, error, error count and next poll after a poll that failed
    (`outcome` is one of FeedUpdate's failure outcomes)."""
    message = (error or outcome)[:ERROR_MAX]
    if outcome == "gone":
        return Verdict(GONE, message, error_count + 1, None)
    if is_permanent:
        # Blocked address, invalid URL: retrying cannot help; an admin must change it.
        return Verdict(PAUSED, message, error_count + 1, None)
    if outcome == "rate_limited":
        # Never a strike against the feed (docs/architecture.md, "Fetching feeds"): wait
        # as asked, then carry on.
        return Verdict(FAILING, message, error_count, schedule.next_poll_after_rate_limit(
            now, retry_after, interval_minutes, limits))
    strikes = error_count + 1
    return Verdict(FAILING, message, strikes,
                   now + schedule.backoff_delay(strikes, interval_minutes, limits, rng))


def duplicate_of(*, other_id: int, new_url: str, kept_url: str,
                 error_count: int) -> Verdict:
    """A source whose feed moved permanently (301/308) to the URL source `other_id`
    polls: paused until an admin deletes it (or resumes it, should the move be undone);
    polling on would store the other source's articles a second time."""
    return Verdict(PAUSED,
                   f"duplicate of source {other_id}: the feed moved permanently to "
                   f"{new_url}, which source {other_id} already polls; kept {kept_url} "
                   f"and paused it"[:ERROR_MAX], error_count + 1, None)


def success_note(*, skipped_old: int, stored: int, retention_days: int,
                 charset_warning: str | None) -> str | None:
    """What a successful poll tells an admin (in last_error, the status staying ok): that
    everything it read was too old (`too_old_note`), that the feed's declared charset was
    wrong and which one it was read as (an accented name shown garbled on the site starts
    there); None when all is well."""
    notes = [too_old_note(skipped_old=skipped_old, stored=stored,
                          retention_days=retention_days),
             f"encoding: {charset_warning}" if charset_warning else None]
    return "; ".join(note for note in notes if note)[:ERROR_MAX] or None


def too_old_note(*, skipped_old: int, stored: int, retention_days: int) -> str | None:
    """What a successful poll tells an admin (in last_error, the status staying ok) when
    every entry it read was too old to store; None otherwise."""
    if not skipped_old or stored:
        return None
    entries = "entry" if skipped_old == 1 else "entries"
    return (f"nothing stored: the feed's {skipped_old} {entries} were published more than "
            f"{retention_days} days ago (HOPPER_RETENTION_DAYS)")


def must_quarantine(unfinished_polls: int) -> bool:
    """True when a source's polls keep starting and never finishing."""
    return unfinished_polls >= schedule.QUARANTINE_AFTER_UNFINISHED


def quarantine(*, unfinished_polls: int, error_count: int, now: datetime,
               limits: Limits) -> Verdict:
    """What a quarantined source becomes: failing, one more strike, a long rest (the
    caller also resets its count of unfinished polls)."""
    delay = schedule.quarantine_delay(limits)
    return Verdict(FAILING,
                   f"quarantined: {unfinished_polls} polls started and never finished "
                   f"(the worker was killed while polling this feed); next try in {delay}",
                   error_count + 1, now + delay)


def whole_validator(value: str | None, length: int) -> str | None:
    """A validator that fits its column, or None: a truncated one would never match."""
    if value is None or len(value) > length:
        return None
    return value


def next_poll_with_push(next_poll_at: datetime, polled_at: datetime,
                        limits: Limits) -> datetime:
    """A source whose hub pushes: polled no sooner than the push fallback interval."""
    return max(next_poll_at, polled_at + timedelta(minutes=limits.push_fallback_poll_minutes))


def name_after_poll(name: str, feed_title: str | None) -> str:
    """The source's name after a poll that read `feed_title`: the title when the source
    has no name yet, or when its name is that very title garbled by an earlier poll
    ("CafÃ© du Port", "Caf&eacute; du Port" for "Café du Port"): a charset misread or
    an entity escaped twice, which no operator would type. Any other name stays, so a
    name an operator gave, or a feed that retitles itself, is never overwritten."""
    title = (feed_title or "").strip()
    if not title or name == title:
        return name
    if not name:
        return title
    return title if title in _repairs(name) else name


def _repairs(name: str) -> set[str]:
    """What `name` reads as with up to two layers of mojibake (UTF-8 read as Windows-1252
    or Latin-1) and of HTML escaping undone."""
    found: set[str] = set()
    layer = {name}
    for _ in range(2):
        layer = {repaired for text in layer for repaired in _one_repair(text)} - found
        found |= layer
    return found


def _one_repair(text: str) -> set[str]:
    # A name stored before titles lost their invisible characters ("\u200bDaily News").
    repaired = {html.unescape(text), " ".join(without_invisibles(text).split())}
    for charset in ("cp1252", "latin-1"):
        with contextlib.suppress(UnicodeError):
            repaired.add(text.encode(charset).decode("utf-8"))
    return repaired - {text}
