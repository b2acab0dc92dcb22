"""One hierarchy of ingest failures.

Every failure carries a readable `reason` (stored on the source for admins) and says
whether it is permanent: a permanent failure stops polling (410, an address we refuse,
a URL we cannot fetch), a transient one is retried later with backoff.
"""

from __future__ import annotations

from datetime import datetime


class IngestError(Exception):
    """Base of every ingest failure; `str(error)` is the reason shown to admins."""

    is_permanent: bool = False

    @property
    def reason(self) -> str:
        return str(self) or type(self).__name__


class SourceGone(IngestError):
    """The server answered 410 Gone: the feed will not come back."""

    is_permanent = True


class TooLarge(IngestError):
    """The body exceeded the size cap, on the wire or after decompression."""


class Blocked(IngestError):
    """The destination is not allowed (SSRF guard: private, loopback, link-local…)."""

    is_permanent = True


class InvalidURL(IngestError):
    """The URL cannot be fetched at all: bad scheme, no host, malformed."""

    is_permanent = True


class RateLimited(IngestError):
    """429 or 503: the server asked us to come back later (never disables a feed)."""

    def __init__(self, reason: str, retry_after: datetime | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class HTTPStatusError(IngestError):
    """An HTTP status we treat as a failure (404, 5xx, too many redirects…)."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.status = status


class NetworkError(IngestError):
    """The connection failed: the name did not resolve, was refused or was reset."""


class Timeout(IngestError):
    """Connecting or reading took longer than the configured limits."""


class ParseError(IngestError):
    """The body is not a feed we can read: nothing usable came out of it."""
