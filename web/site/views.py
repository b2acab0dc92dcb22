"""Reader pages. (The full magazine layout lands with the reader's-site issue.)"""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from models import sections
from models.articles import Article
from web.extensions import db_session

bp = Blueprint("site", __name__)

STATIC_PAGES = ("about", "privacy", "terms", "contact", "advertise")


@bp.get("/")
def home() -> str:
    latest = db_session().scalars(
        select(Article).options(joinedload(Article.source))
        .order_by(Article.published_at.desc()).limit(30)).all()
    return render_template("site/home.html", articles=latest)


@bp.get("/section/<slug>")
def section(slug: str) -> str:
    found = sections.by_slug(db_session(), slug)
    if found is None:
        abort(404)
    articles = db_session().scalars(
        select(Article).where(Article.section_id == found.id)
        .options(joinedload(Article.source))
        .order_by(Article.published_at.desc()).limit(30)).all()
    return render_template("site/section.html", section=found, articles=articles)


@bp.get("/<any(about, privacy, terms, contact, advertise):page>")
def static_page(page: str) -> str:
    return render_template("site/page.html", page=page)
