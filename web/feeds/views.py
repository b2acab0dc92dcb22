"""What Hopper publishes for machines: RSS 2.0 for the site, each section and tag, the
sitemap (web/feeds/sitemap.py) and robots.txt. Every link is
absolute, built on Settings.base_url."""

from __future__ import annotations

from flask import Blueprint, Response, abort, url_for
from markupsafe import escape

from models import articles as article_queries
from models import publishing, sections, tags
from models.articles import Article
from models.base import utcnow
from models.permalinks import article_path
from web.extensions import db_session, settings
from web.feeds.xml import FeedChannel, FeedItem, render_rss

bp = Blueprint("feeds", __name__)

FEED_ITEMS = 50
CACHE_SECONDS = 300
ROBOTS_DISALLOWED = ("/admin", "/account", "/search")


@bp.get("/feed.xml")
def site_feed() -> Response:
    site_name = settings().site_name
    articles = publishing.latest_articles(db_session(), limit=FEED_ITEMS)
    return _rss(site_name, "/", url_for("feeds.site_feed"),
                f"The latest articles on {site_name}", articles)


@bp.get("/section/<slug>/feed.xml")
def section_feed(slug: str) -> Response:
    section = sections.by_slug(db_session(), slug)
    if section is None:
        abort(404)
    site_name = settings().site_name
    articles = publishing.latest_articles(db_session(), section=section, limit=FEED_ITEMS)
    return _rss(f"{section.name} – {site_name}", f"/section/{section.slug}",
                url_for("feeds.section_feed", slug=section.slug),
                f"The latest {section.name} articles on {site_name}", articles)


@bp.get("/tag/<slug>/feed.xml")
def tag_feed(slug: str) -> Response:
    tag = tags.by_slug(db_session(), slug)
    if tag is None:
        abort(404)
    site_name = settings().site_name
    articles = article_queries.tagged(db_session(), tag.id, limit=FEED_ITEMS)
    return _rss(f"{tag.name} – {site_name}", f"/tag/{tag.slug}",
                url_for("feeds.tag_feed", slug=tag.slug),
                f"The latest articles tagged {tag.name} on {site_name}", articles)


def _rss(title: str, page_path: str, feed_path: str, description: str,
         articles: list[Article]) -> Response:
    """One RSS 2.0 channel: the page it follows, itself, and the newest articles."""
    channel = FeedChannel(
        title=title, link=absolute(page_path), self_url=absolute(feed_path),
        description=description,
        built_at=articles[0].published_at if articles else utcnow())
    return xml_response(render_rss(channel, [_feed_item(article) for article in articles]),
                        "application/rss+xml")


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
        # Many readers render RSS titles as HTML, as descriptions are (RSS Best Practices
        # Profile, "title"): both are escaped to say exactly their text.
        title=str(escape(article.title)), link=absolute(article_path(article)),
        description=str(escape(" ".join(article.shown_summary.split()))),  # text
        published_at=article.published_at,
        category=article.section.name if article.section else None,
        source_name=article.source.display_name,
        source_url=article.source.public_url)


def xml_response(document: bytes, mimetype: str) -> Response:
    response = Response(document, mimetype=mimetype)
    response.cache_control.public = True
    response.cache_control.max_age = CACHE_SECONDS
    return response
