"""An entry without an image may take its article page's `og:image`, fetched politely in
the background (before its lead-image check, in `workers.images.check_lead_images`).

    without image (db) | fetch_article_page (robots.txt, network) | og:image | record (db)

Politeness is the full-text fetcher's (workers/ingest/fulltext/pages.py): robots.txt obeyed for
Hopper's product token (RFC 9309), the feeds' guarded client (SSRF guard, deadlines, size
cap) holding one of the publisher's HOPPER_PER_HOST_CONCURRENCY slots around every
request (hopper/host_slots.py); pages are fetched one at a time per task and at most
PAGES_PER_RUN per run.
"""

from __future__ import annotations

import logging
from datetime import datetime
from html.parser import HTMLParser
from urllib.parse import urljoin

from models import article_images
from models.article_images import FoundImage
from models.base import utcnow
from models.db import Database, session_scope
from workers.ingest.cleaning.media import is_lead_image_candidate
from workers.ingest.errors import IngestError
from workers.ingest.fulltext.pages import RobotsCache, fetch_article_page
from workers.ingest.parsing.normalise import is_web_url
from workers.ingest.steps.fetch import FeedClient

log = logging.getLogger(__name__)

PAGES_PER_RUN = 8
HEAD_CHARS = 256 * 1024          # og:image lives in <head>: never parse a whole page
URL_MAX = 2048


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
            try:
                url = urljoin(base_url, parser.found[key])
            except ValueError:  # a malformed bracketed host ("http://[::1"): the next one
                continue
            if is_web_url(url) and len(url) <= URL_MAX and is_lead_image_candidate(url):
                return url
    return None


def fetch_page(http: FeedClient, url: str, *, robots: RobotsCache) -> str | None:
    """The start of the page's HTML, when robots.txt lets us and it answers."""
    try:
        page = fetch_article_page(http, url, robots=robots)
    except IngestError as error:
        log.info("article page %s not read for its image: %s", url, error)
        return None
    return page.html[:HEAD_CHARS]


def find_page_images(database: Database, http: FeedClient, *, robots: RobotsCache,
                     source_id: int | None,
                     limit: int = PAGES_PER_RUN, now: datetime | None = None) -> int:
    """Look for og:images of articles that have none; returns how many were found. Each
    article is looked at once (its `image_checked_at` is set either way)."""
    with session_scope(database) as session:
        pages = article_images.without_image(session, source_id=source_id, limit=limit)
    found = []
    for page in pages:                                      # network, no transaction
        html = fetch_page(http, page.url, robots=robots)
        image_url = og_image(html, page.url) if html else None
        found.append(FoundImage(page.article_id, image_url, now or utcnow()))
    with session_scope(database) as session:
        article_images.record_found_images(session, found)
    return sum(1 for item in found if item.image_url)
