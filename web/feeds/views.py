"""What Hopper publishes for machines: RSS 2.0 for the site, each section and tag, the
sitemap (with the news extension for the last two days) and robots.txt. Every link is
absolute, built on Settings.base_url."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, abort, url_for
from markupsafe import escape

from models import articles as article_queries
from models import publishing, sections, tags
from models.articles import Article
from models.base import utcnow
from models.permalinks import article_path, article_path_for
from models.search import plain_text
from web.extensions import db_session, settings
from web.feeds.xml import FeedChannel, FeedItem, SitemapUrl, render_rss, render_sitemap

bp = Blueprint("feeds", __name__)

FEED_ITEMS = 50
# sitemaps.org: at most 50,000 URLs per sitemap. The newest articles are kept; older
# ones stay reachable through section pages.
SITEMAP_MAX_URLS = 50_000
NEWS_WINDOW = timedelta(days=2)       # Google News sitemaps: articles of the last 2 days
NEWS_MAX_URLS = 1_000                 # … and at most 1,000 of them
CACHE_SECONDS = 300
ROBOTS_DISALLOWED = ("/admin", "/account", "/search")


@bp.get("/feed.xml")
def site_feed() -> Response:
    site_name = settings().site_name
    articles = publishing.latest_articles(db_session(), limit=FEED_ITEMS)
    channel = FeedChannel(
        title=site_name, link=absolute("/"), self_url=absolute(url_for("feeds.site_feed")),
        description=f"The latest articles on {site_name}",
        built_at=articles[0].published_at if articles else utcnow())
    return _xml(render_rss(channel, [_feed_item(article) for article in articles]),
                "application/rss+xml")


@bp.get("/section/<slug>/feed.xml")
def section_feed(slug: str) -> Response:
    section = sections.by_slug(db_session(), slug)
    if section is None:
        abort(404)
    site_name = settings().site_name
    articles = publishing.latest_articles(db_session(), section=section, limit=FEED_ITEMS)
    channel = FeedChannel(
        title=f"{section.name} – {site_name}",
        link=absolute(f"/section/{section.slug}"),
        self_url=absolute(url_for("feeds.section_feed", slug=section.slug)),
        description=f"The latest {section.name} articles on {site_name}",
        built_at=articles[0].published_at if articles else utcnow())
    return _xml(render_rss(channel, [_feed_item(article) for article in articles]),
                "application/rss+xml")


@bp.get("/tag/<slug>/feed.xml")
def tag_feed(slug: str) -> Response:
    tag = tags.by_slug(db_session(), slug)
    if tag is None:
        abort(404)
    site_name = settings().site_name
    articles = article_queries.tagged(db_session(), tag.id, limit=FEED_ITEMS)
    channel = FeedChannel(
        title=f"{tag.name} – {site_name}",
        link=absolute(f"/tag/{tag.slug}"),
        self_url=absolute(url_for("feeds.tag_feed", slug=tag.slug)),
        description=f"The latest articles tagged {tag.name} on {site_name}",
        built_at=articles[0].published_at if articles else utcnow())
    return _xml(render_rss(channel, [_feed_item(article) for article in articles]),
                "application/rss+xml")


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    session = db_session()
    urls = [SitemapUrl(loc=absolute("/"))]
    urls += [SitemapUrl(loc=absolute(f"/section/{section.slug}"))
             for section in publishing.all_sections(session)]
    news_since = utcnow() - NEWS_WINDOW
    entries = publishing.sitemap_entries(session, limit=SITEMAP_MAX_URLS - len(urls))
    for index, entry in enumerate(entries):
        is_news = index < NEWS_MAX_URLS and entry.published_at >= news_since
        urls.append(SitemapUrl(
            loc=absolute(article_path_for(entry.id, entry.title)),
            lastmod=max(entry.published_at, entry.modified_at),
            news_title=entry.title if is_news else None,
            news_published_at=entry.published_at if is_news else None))
    return _xml(render_sitemap(settings().site_name, urls), "application/xml")


@bp.get("/robots.txt")
def robots() -> Response:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOWED),
             "", f"Sitemap: {absolute(url_for('feeds.sitemap'))}", ""]
    response = Response("\n".join(lines), mimetype="text/plain")
    response.cache_control.public = True
    response.cache_control.max_age = CACHE_SECONDS
    return response


def absolute(path: str) -> str:
    return settings().base_url + path


def _feed_item(article: Article) -> FeedItem:
    return FeedItem(
        title=article.title, link=absolute(article_path(article)),
        # RSS descriptions are HTML: the summary's text is escaped to say exactly itself.
        description=str(escape(plain_text(article.summary or ""))),
        published_at=article.published_at,
        category=article.section.name if article.section else None,
        source_name=article.source.name or article.source.url,
        source_url=article.source.url)


def _xml(document: bytes, mimetype: str) -> Response:
    response = Response(document, mimetype=mimetype)
    response.charset = "utf-8"
    response.cache_control.public = True
    response.cache_control.max_age = CACHE_SECONDS
    return response
