"""What Hopper publishes for machines: RSS 2.0 for the site and each section, the
sitemap (web/feeds/sitemap.py) and robots.txt. Every link is
absolute, built on Settings.base_url."""

from __future__ import annotations

from flask import Blueprint, Response, abort, url_for
from markupsafe import escape

from models import publishing, sections
from models.articles import Article
from models.base import utcnow
from models.permalinks import article_path
from models.search import plain_text
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
    channel = FeedChannel(
        title=site_name, link=absolute("/"), self_url=absolute(url_for("feeds.site_feed")),
        description=f"The latest articles on {site_name}",
        built_at=articles[0].published_at if articles else utcnow())
    return xml_response(render_rss(channel, [_feed_item(article) for article in articles]),
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
        description=str(escape(plain_text(article.shown_summary))),
        published_at=article.published_at,
        category=article.section.name if article.section else None,
        source_name=article.source.name or article.source.public_url,
        source_url=article.source.public_url)


def xml_response(document: bytes, mimetype: str) -> Response:
    response = Response(document, mimetype=mimetype)
    response.charset = "utf-8"
    response.cache_control.public = True
    response.cache_control.max_age = CACHE_SECONDS
    return response
