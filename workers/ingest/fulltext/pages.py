"""Fetch article pages politely: robots.txt first, then the page, with the feeds' guarded
client (SSRF guard on every hop, size and time caps). Like `fetch`, a network step.

RFC 9309: a robots.txt that answers 4xx allows everything; one that cannot be read (5xx,
network failure) allows nothing for now. Rules are read for Hopper's product token
("Hopper") with protego, and cached per origin for an hour. A `License:` line (RSL) in
robots.txt is reported as a reuse signal, never applied.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

from workers.ingest.errors import HTTPStatusError, IngestError, SourceGone
from workers.ingest.steps.fetch import FeedClient

PRODUCT_TOKEN = "Hopper"  # noqa: S105 - robots.txt product token, not a secret
ROBOTS_TTL_S = 3600.0
ROBOTS_MAX_CHARS = 500_000           # RFC 9309 §2.5: at least 500 KiB must be read


class DisallowedByRobots(IngestError):
    """robots.txt does not let Hopper fetch this page."""

    is_permanent = True


@dataclass(frozen=True, slots=True)
class Robots:
    rules: Protego | None            # None: nothing is allowed (robots.txt unreadable)
    license_lines: tuple[str, ...]

    def allows(self, url: str) -> bool:
        return self.rules is not None and bool(self.rules.can_fetch(url, PRODUCT_TOKEN))


@dataclass(frozen=True, slots=True)
class ArticlePage:
    url: str                         # after redirects
    html: str
    headers: dict[str, str]
    license_lines: tuple[str, ...]   # robots.txt License: lines of its origin


class RobotsCache:
    """robots.txt per origin, for ROBOTS_TTL_S; one per worker process."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._entries: dict[str, tuple[float, Robots]] = {}
        self._lock = threading.Lock()

    def for_url(self, http: FeedClient, url: str) -> Robots:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            cached = self._entries.get(origin)
        if cached is not None and self._clock() - cached[0] < ROBOTS_TTL_S:
            return cached[1]
        robots = _read_robots(http, origin)
        with self._lock:
            self._entries[origin] = (self._clock(), robots)
        return robots


def _read_robots(http: FeedClient, origin: str) -> Robots:
    try:
        fetched = http.fetch(f"{origin}/robots.txt")
    except SourceGone:
        return Robots(Protego.parse(""), ())              # 410: a 4xx, allow all
    except HTTPStatusError as error:
        if error.status is not None and 400 <= error.status < 500 and error.status != 429:
            return Robots(Protego.parse(""), ())          # RFC 9309 §2.3.1.3: allow all
        return Robots(None, ())                            # §2.3.1.4: unreachable
    except IngestError:
        return Robots(None, ())
    text = fetched.content.decode("utf-8", "replace")[:ROBOTS_MAX_CHARS]
    licenses = tuple(line.split(":", 1)[1].strip() for line in text.splitlines()
                     if line.strip().lower().startswith("license:"))
    return Robots(Protego.parse(text), licenses)


def fetch_article_page(http: FeedClient, url: str, *, robots: RobotsCache) -> ArticlePage:
    """The page at `url`, if robots.txt allows Hopper to fetch it; IngestError if not.

    The client holds one of the publisher's slots around each request (a FeedClient made
    with a Redis client: HOPPER_PER_HOST_CONCURRENCY, shared with feed and image fetches).
    """
    rules = robots.for_url(http, url)
    if not rules.allows(url):
        raise DisallowedByRobots(f"robots.txt does not allow {PRODUCT_TOKEN} to fetch {url}")
    fetched = http.fetch(url)
    content_type = fetched.headers.get("content-type", "")
    charset = "utf-8"
    if "charset=" in content_type:
        charset = content_type.split("charset=", 1)[1].split(";")[0].strip().strip('"')
    try:
        text = fetched.content.decode(charset, "replace")
    # UnicodeError: 'undefined', 'punycode' and 'idna' are codecs that fail whatever
    # errors= says; a page may name them as its charset.
    except (LookupError, UnicodeError):
        text = fetched.content.decode("utf-8", "replace")
    return ArticlePage(fetched.url, text, dict(fetched.headers), rules.license_lines)
