"""An entry without an image may take its article page's `og:image`, fetched politely in
the background (before its lead-image check, in `workers.images.check_lead_images`).

    without image (db) | robots.txt allows? | fetch the page (network) | og:image | record (db)

Politeness: robots.txt is obeyed for Hopper's user agent (RFC 9309; a robots.txt that
cannot be fetched for a 4xx means "allowed", anything else "not now"), pages are fetched
one at a time per task and at most PAGES_PER_RUN per run, through the feeds' guarded
client (SSRF guard, deadlines, size cap).
Seam: HOPPER_PER_HOST_CONCURRENCY's Redis per-host semaphore (DESIGN.md) belongs around
`http.fetch` in `fetch_page` once the shared one exists.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from models import article_images
from models.article_images import FoundImage
from models.base import utcnow
from models.db import Database, session_scope
from workers.ingest.errors import HTTPStatusError, IngestError
from workers.ingest.fetch import FeedClient
from workers.ingest.media import is_lead_image_candidate
from workers.ingest.normalise import is_web_url

log = logging.getLogger(__name__)

PAGES_PER_RUN = 8
ROBOTS_TTL_S = 3600.0
HEAD_BYTES = 256 * 1024          # og:image lives in <head>: never parse a whole page
URL_MAX = 2048
# RFC 9309 §2.3.1.3: an unreachable robots.txt (4xx) means no rules; a server error means
# "assume complete disallow" for now.
_robots: dict[str, tuple[float, RobotFileParser | None]] = {}


class _ImageMeta(HTMLParser):
    WANTED = ("og:image:secure_url", "og:image", "og:image:url", "twitter:image",
              "twitter:image:src")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "meta":
            return
        values = {name.lower(): (value or "").strip() for name, value in attrs}
        key = (values.get("property") or values.get("name") or "").lower()
        if key in self.WANTED and values.get("content"):
            self.found.setdefault(key, values["content"])


def og_image(html: str, base_url: str) -> str | None:
    """The absolute http(s) URL of the page's sharing image (og:image, else
    twitter:image), or None."""
    parser = _ImageMeta()
    parser.feed(html)
    parser.close()
    for key in _ImageMeta.WANTED:
        if key in parser.found:
            url = urljoin(base_url, parser.found[key])
            if is_web_url(url) and len(url) <= URL_MAX and is_lead_image_candidate(url):
                return url
    return None


def robots_allows(http: FeedClient, url: str, *, now: float | None = None) -> bool:
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    now = time.monotonic() if now is None else now
    cached = _robots.get(origin)
    if cached is None or cached[0] < now:
        cached = (now + ROBOTS_TTL_S, _read_robots(http, origin))
        _robots[origin] = cached
    rules = cached[1]
    return rules is not None and rules.can_fetch(http.options.user_agent, url)


def forget_robots() -> None:
    _robots.clear()


def _read_robots(http: FeedClient, origin: str) -> RobotFileParser | None:
    rules = RobotFileParser()
    try:
        fetched = http.fetch(origin + "/robots.txt")
    except HTTPStatusError as error:
        if 400 <= (error.status or 0) < 500:
            rules.parse([])                       # no robots.txt: everything allowed
            return rules
        return None
    except IngestError:
        return None
    rules.parse(fetched.content[:512 * 1024].decode("utf-8", "replace").splitlines())
    return rules


def fetch_page(http: FeedClient, url: str) -> str | None:
    """The start of the page's HTML, when robots.txt lets us and it answers."""
    if not robots_allows(http, url):
        log.info("robots.txt forbids %s", url)
        return None
    try:
        fetched = http.fetch(url)
    except IngestError as error:
        log.info("article page %s not fetched: %s", url, error)
        return None
    return fetched.content[:HEAD_BYTES].decode("utf-8", "replace")


def find_page_images(database: Database, http: FeedClient, *, source_id: int | None,
                     limit: int = PAGES_PER_RUN, now: datetime | None = None) -> int:
    """Look for og:images of articles that have none; returns how many were found. Each
    article is looked at once (its `image_checked_at` is set either way)."""
    with session_scope(database) as session:
        pages = article_images.without_image(session, source_id=source_id, limit=limit)
    found = []
    for page in pages:                                      # network, no transaction
        html = fetch_page(http, page.url)
        image_url = og_image(html, page.url) if html else None
        found.append(FoundImage(page.article_id, image_url, now or utcnow()))
    with session_scope(database) as session:
        article_images.record_found_images(session, found)
    return sum(1 for item in found if item.image_url)
