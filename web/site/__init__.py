"""The magazine: home, sections, tags, sources, articles, video and the static pages."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, render_template, request
from flask_compress import Compress
from werkzeug.exceptions import HTTPException

from models import permalinks
from models.articles import Article
from models.base import utcnow
from web import cache
from web.extensions import settings
from web.site import assets
from web.site.views import bp, section_tree

ERROR_TITLES = {
    400: "Bad request",
    404: "Page not found",
    405: "Method not allowed",
    413: "Too much sent",
    429: "Too many requests",
    500: "Something went wrong",
}


def init_app(app: Flask) -> None:
    # Compress first: after_request hooks run in reverse order, so the page cache stores
    # the uncompressed body and every response (hit or miss) is compressed on the way out.
    app.config.setdefault("COMPRESS_MIMETYPES", [
        "text/html", "text/css", "text/xml", "text/plain", "application/json",
        "application/javascript", "text/javascript", "application/xml",
        "application/rss+xml", "application/atom+xml", "image/svg+xml"])
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    Compress(app)
    cache.init_app(app)
    assets.init_app(app)
    app.register_blueprint(bp)
    for code in ERROR_TITLES:
        app.register_error_handler(code, render_error)


def page_furniture() -> dict[str, object]:
    """What the layout shows on every page: navigation, today's date, footer links."""
    now: datetime = utcnow()
    return {
        "section_tree": section_tree,
        "today": now,
        "current_year": now.year,
        "follow_links": settings().follow_links,
    }


def article_path(article: Article) -> str:
    """`url_for("site.article", …)` for the dozens of cards on a page, without its cost."""
    return request.script_root + permalinks.article_path(article)


def render_error(error: HTTPException) -> tuple[str, int]:
    code = error.code or 500
    return render_template("errors/error.html", code=code,
                           title=ERROR_TITLES.get(code, error.name),
                           description=error.description), code
