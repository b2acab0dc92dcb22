"""Adding a source: the one validation and the one insert that every way in shares
(`hopper sources add`, `hopper sources import`, the admin's "add source" form).

The use case itself (validate | discover the feed | insert) is `workers.adding`; the web
reaches it only through the `workers.resolve_source` task (see that module).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from hopper.guarded_http import GuardErrors, check_url
from hopper.settings import Limits
from models.sources import (
    DEFAULT_FULL_TEXT,
    DEFAULT_RIGHTS,
    FullText,
    Rights,
    Source,
    add,
    by_url,
)

URL_MAX = 2048
NAME_MAX = 300


class InvalidSource(ValueError):
    """What was asked cannot be a source; `reason` says why, for a person."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SourceExists(InvalidSource):
    def __init__(self, url: str, source_id: int) -> None:
        super().__init__(f"a source already polls {url}")
        self.source_id = source_id


@dataclass(frozen=True, slots=True)
class NewSource:
    """A request to add a source, as a person gave it."""

    url: str
    name: str = ""
    section_id: int | None = None
    interval_minutes: int | None = None      # None: adapt to the feed
    rights: str = DEFAULT_RIGHTS.value
    full_text: str = DEFAULT_FULL_TEXT.value
    site_url: str | None = None


_INVALID = GuardErrors(blocked=InvalidSource, dropped=InvalidSource, invalid=InvalidSource)


def check_new_source(new: NewSource, limits: Limits) -> NewSource:
    """The request made tidy, or InvalidSource: an http(s) URL with a host, at most
    URL_MAX long; a name of at most NAME_MAX; an interval inside the configured range;
    known rights and full-text modes."""
    url = check_url(new.url, _INVALID)
    if len(url) > URL_MAX:
        raise InvalidSource(f"the URL is longer than {URL_MAX} characters")
    interval = new.interval_minutes
    if interval is not None and not (
            limits.min_interval_minutes <= interval <= limits.max_interval_minutes):
        raise InvalidSource(f"the interval must be between {limits.min_interval_minutes} "
                            f"and {limits.max_interval_minutes} minutes")
    if new.rights not in {r.value for r in Rights}:
        raise InvalidSource(f"rights must be one of {', '.join(r.value for r in Rights)}")
    if new.full_text not in {f.value for f in FullText}:
        raise InvalidSource(
            f"full text must be one of {', '.join(f.value for f in FullText)}")
    site_url = new.site_url if new.site_url and len(new.site_url) <= URL_MAX else None
    return replace(new, url=url, name=new.name.strip()[:NAME_MAX], site_url=site_url)


def insert_source(session: Session, new: NewSource) -> Source:
    """Store a checked request as a source, due at once; SourceExists when its URL is
    already polled. (The unique constraint still refuses a concurrent duplicate.)"""
    existing = by_url(session, new.url)
    if existing is not None:
        raise SourceExists(new.url, existing.id)
    return add(session, new.url, name=new.name, section_id=new.section_id,
               interval_override_minutes=new.interval_minutes, rights=new.rights,
               full_text=new.full_text, site_url=new.site_url)
