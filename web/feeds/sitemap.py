"""The sitemap: `/sitemap.xml` is a sitemap index (sitemaps.org 0.9) naming children
`/sitemap-<n>.xml` of at most `CHUNK_URLS` URLs each — the home page, sections, then
articles newest first, with Google's news extension on the last two days'.

Building one is a scan of every article: each document is kept in Redis with the
content version it was built for (hopper/content_version.py), so it is built once per
ingest that changed something, not once per crawler request.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import Response, abort, url_for
from werkzeug.exceptions import HTTPException

from hopper import content_version
from models import publishing
from models.base import utcnow
from models.permalinks import article_path_for
from web.extensions import db_session, redis_client, redis_outage_tolerated, settings
from web.feeds.views import absolute, bp, xml_response
from web.feeds.xml import SitemapUrl, render_sitemap, render_sitemap_index

# sitemaps.org allows 50,000 URLs per file; smaller files are cheaper to build and fetch.
CHUNK_URLS = 5_000
MAX_CHILDREN = 100                    # beyond 500,000 URLs, older articles stay reachable
NEWS_WINDOW = timedelta(days=2)       # Google News sitemaps: articles of the last 2 days
NEWS_MAX_URLS = 1_000                 # … and at most 1,000 of them
CACHE_PREFIX = "hopper:sitemap:"
CACHE_TTL_S = 24 * 3600               # a new content version makes it stale sooner
REBUILD_LOCK_S = 60                   # one rebuild at a time per document


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    return xml_response(_cached("index", _build_index), "application/xml")


@bp.get("/sitemap-<int:number>.xml")
def sitemap_child(number: int) -> Response:
    return xml_response(_cached(str(number), lambda: _build_child(number)), "application/xml")


def _cached(name: str, build: Callable[[], bytes]) -> bytes:
    """The document built for the current content version, built if missing or older.

    One key per document, holding its version: a new version overwrites the old copy,
    so Redis keeps one sitemap however often ingest moves the version."""
    client = redis_client()
    key = f"{CACHE_PREFIX}{settings().base_url}:{name}"
    version = None
    with redis_outage_tolerated("sitemap cache lookup"):
        raw_version, stored = client.mget([content_version.CONTENT_VERSION_KEY, key])
        version = int(raw_version or 0)
        if stored is not None:
            stored_version, _, document = bytes(stored).partition(b"\n")
            # While one request rebuilds, the others serve the previous version: crawlers
            # looping on the sitemap never start ten builds at once.
            if int(stored_version) == version or not client.set(
                    f"{key}:building", 1, nx=True, ex=REBUILD_LOCK_S):
                return document
    try:
        document = build()
    except HTTPException:   # a child that no longer exists: forget its old copy too
        with redis_outage_tolerated("sitemap cache drop"):
            client.delete(key, f"{key}:building")
        raise
    if version is not None:
        with redis_outage_tolerated("sitemap cache store"):
            client.set(key, str(version).encode() + b"\n" + document, ex=CACHE_TTL_S)
            client.delete(f"{key}:building")
    return document


def _site_urls() -> list[SitemapUrl]:
    """What comes before the articles: the home page and every section."""
    return [SitemapUrl(loc=absolute("/"))] + [
        SitemapUrl(loc=absolute(f"/section/{section.slug}"))
        for section in publishing.all_sections(db_session())]


def _child_count() -> int:
    total = len(_site_urls()) + publishing.count_articles(db_session())
    return max(1, min(MAX_CHILDREN, -(-total // CHUNK_URLS)))


def _build_index() -> bytes:
    return render_sitemap_index([absolute(url_for("feeds.sitemap_child", number=number))
                                 for number in range(1, _child_count() + 1)])


def _build_child(number: int) -> bytes:
    """URLs [(number-1) × CHUNK, number × CHUNK) of: site pages, then articles."""
    if not 1 <= number <= _child_count():
        abort(404)
    site = _site_urls()
    start = (number - 1) * CHUNK_URLS
    urls = site[start:start + CHUNK_URLS]
    article_start = max(0, start - len(site))
    entries = publishing.sitemap_entries(db_session(), limit=CHUNK_URLS - len(urls),
                                         offset=article_start)
    news_since = utcnow() - NEWS_WINDOW
    for index, entry in enumerate(entries, start=article_start):
        is_news = index < NEWS_MAX_URLS and entry.published_at >= news_since
        urls.append(SitemapUrl(
            loc=absolute(article_path_for(entry.id, entry.title)),
            lastmod=max(entry.published_at, entry.modified_at),
            news_title=entry.title if is_news else None,
            news_published_at=entry.published_at if is_news else None))
    return render_sitemap(settings().site_name, urls)
