"""JSON API v1 (docs/architecture.md, "JSON API"): articles (filtered, searched, paged), one
article with its content, stories (ranked, paged), one story with its articles, sections
and sources. Read-only, rate limited, and every error — a bad parameter, an unknown id or
route under /api/, a wrong method, a crash — answers in JSON. Both lists answer the same
bad input alike: an unknown section or tag slug, or a page that would list items beyond
MAX_LISTED_ITEMS (web/params.py), is a 400 `bad_parameter`, never an empty 200.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload

from flask import Blueprint, Response, current_app, jsonify, redirect, request, url_for
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    NotFound,
    default_exceptions,
)
from werkzeug.routing import RequestRedirect
from werkzeug.wrappers import Response as WerkzeugResponse

from models import publishing, stories, tags
from models import sections as sections_tree
from models.articles import Article
from models.permalinks import article_path
from models.search import (
    ArticleFilters,
    SearchQuery,
    article_with_relations,
    list_articles,
    search_articles,
)
from models.sections import Section
from models.sources import Source
from web.api.errors import BadParameter, error_response, http_error_response
from web.extensions import READ_RATE_LIMIT, db_session, limiter, settings
from web.params import MAX_LISTED_ITEMS, MAX_ROW_ID, last_page
from web.ranking import ranked_window

API_PREFIX = "/api/"
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100


bp = Blueprint("api", __name__, url_prefix="/api/v1")
limiter.limit(lambda: current_app.config.get("API_RATE_LIMIT", READ_RATE_LIMIT))(bp)


@bp.get("/articles")
def articles() -> Response:
    page, per_page = _paging_parameters()
    session = db_session()
    section_slug, tag_slug = _text_parameter("section"), _text_parameter("tag")
    if section_slug is not None and sections_tree.load_tree(session).by_slug(
            section_slug) is None:
        raise BadParameter("section", "the slug of an existing section")
    if tag_slug is not None and tags.by_slug(session, tag_slug) is None:
        raise BadParameter("tag", "the slug of an existing tag")
    filters = ArticleFilters(
        section_slug=section_slug, tag_slug=tag_slug,
        source_id=_int_parameter("source", default=None, minimum=1),
        published_from=_since_parameter())
    text = _text_parameter("q")
    if text:
        found = search_articles(session, SearchQuery(text=text, filters=filters, page=page,
                                                     per_page=per_page))
        items, total = found.articles, found.total
    else:
        listed = list_articles(session, filters, page=page, per_page=per_page)
        items, total = listed.articles, listed.total
    return jsonify({"items": [article_json(article) for article in items],
                    "page": page, "per_page": per_page, "total": total})


@bp.get("/articles/<int:article_id>")
def article(article_id: int) -> Response:
    found = article_with_relations(db_session(), article_id)
    if found is None:
        raise NotFound(f"no article with id {article_id}")
    # The body only where the source's rights are `full` (DESIGN: stories and rights).
    return jsonify(article_json(found) | {"content_html": found.shown_body_html or None})


@bp.get("/stories")
def story_list() -> Response:
    """Stories ranked as on the home page (optionally within a section's subtree)."""
    page, per_page = _paging_parameters()
    session = db_session()
    section_ids = None
    slug = _text_parameter("section")
    if slug is not None:
        tree = sections_tree.load_tree(session)
        section = tree.by_slug(slug)
        if section is None:
            raise BadParameter("section", "the slug of an existing section")
        section_ids = tree.subtree_ids(section)
    # The ranking is remembered for a while (web/ranking.py): only this page's cards are read.
    ranked = ranked_window(session, start=(page - 1) * per_page, stop=page * per_page,
                           section_ids=section_ids)
    shown = ranked.cards
    members = stories.member_ids(session, [card.story.id for card in shown])
    tree = sections_tree.load_tree(session)
    return jsonify({"items": [story_json(card.story, card.lead, members[card.story.id], tree)
                              for card in shown],
                    "page": page, "per_page": per_page, "total": ranked.total})


@bp.get("/stories/<int:story_id>")
def story(story_id: int) -> Response | WerkzeugResponse:
    found = stories.with_articles(db_session(), story_id) if story_id <= MAX_ROW_ID else None
    if found is not None and found[0].merged_into_id is not None:
        # Merged into another: its coverage is there (as /story/<id> answers).
        return redirect(url_for("api.story", story_id=found[0].merged_into_id), 301)
    if found is None or not found[1]:
        raise NotFound(f"no story with id {story_id}")
    story_row, members = found
    lead = next((article for article in members if article.id == story_row.lead_article_id),
                members[0])
    return jsonify(story_json(story_row, lead, [article.id for article in members],
                              sections_tree.load_tree(db_session()))
                   | {"articles": [article_json(article) for article in members]})


def story_json(story: stories.Story, lead: Article, article_ids: list[int],
               tree: sections_tree.SectionTree) -> dict[str, object]:
    # The story's own section: its lead's, or a member's when the lead has none
    # (workers/ingest/stories/story.py add_member), as `?section=` filters.
    section = tree.by_id(story.section_id)
    return {
        "id": story.id,
        "title": lead.title,
        "lead_article_id": lead.id,
        "article_ids": article_ids,
        "article_count": story.article_count,
        "source_count": story.source_count,
        "first_published_at": iso_utc(story.first_published_at),
        "last_published_at": iso_utc(story.last_published_at),
        "section": section.slug if section else None,
    }


@bp.get("/sections")
def sections() -> Response:
    return jsonify({"items": [section_json(section)
                              for section in publishing.all_sections(db_session())]})


@bp.get("/sources")
def sources() -> Response:
    return jsonify({"items": [source_json(source)
                              for source in publishing.all_sources(db_session())]})


def article_json(article: Article) -> dict[str, object]:
    return {
        "id": article.id,
        "title": article.title,
        "url": article.url,
        "permalink": settings().base_url + article_path(article),
        "source": {"id": article.source.id, "name": article.source.name},
        "section": article.section.slug if article.section else None,
        "tags": [tag.slug for tag in article.tags],
        "published_at": iso_utc(article.published_at),
        "updated_at": iso_utc(article.updated_at),
        "summary": article.shown_summary,
        "image_url": article.image_url,
        "story_id": article.story_id,
    }


def section_json(section: Section) -> dict[str, object]:
    return {"id": section.id, "slug": section.slug, "name": section.name,
            "parent": section.parent.slug if section.parent else None,
            "position": section.position}


def source_json(source: Source) -> dict[str, object]:
    """Public fields only: validators, errors and schedule internals stay private."""
    return {"id": source.id, "name": source.name, "url": source.public_url,
            "site_url": source.public_site_url,
            "section": source.section.slug if source.section else None,
            "status": source.status}


def iso_utc(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC to the second, e.g. 2026-11-24T21:10:33Z."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text_parameter(name: str) -> str | None:
    value = request.args.get(name, "").strip()
    if "\x00" in value:
        raise BadParameter(name, "text without NUL characters")
    return value or None


@overload
def _int_parameter(name: str, *, default: int, minimum: int,
                   maximum: int | None = None) -> int: ...
@overload
def _int_parameter(name: str, *, default: None, minimum: int,
                   maximum: int | None = None) -> int | None: ...
def _int_parameter(name: str, *, default: int | None, minimum: int,
                   maximum: int | None = None) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    expected = (f"an integer from {minimum} to {maximum}" if maximum
                else f"an integer of at least {minimum}")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        raise BadParameter(name, expected)
    value = int(raw)
    if value < minimum or (maximum is not None and value > maximum):
        raise BadParameter(name, expected)
    return value


def _paging_parameters() -> tuple[int, int]:
    """`page` and `per_page`, with page × per_page within MAX_LISTED_ITEMS: a deeper
    page would make the database skip that many rows for every such request."""
    per_page = _int_parameter("per_page", default=DEFAULT_PER_PAGE, minimum=1,
                              maximum=MAX_PER_PAGE)
    deepest = last_page(per_page)
    page = _int_parameter("page", default=1, minimum=1)
    if page > deepest:
        raise BadParameter("page", f"an integer from 1 to {deepest} (per_page {per_page}: "
                                   f"at most {MAX_LISTED_ITEMS} items are listed)")
    return page, per_page


def _since_parameter() -> datetime | None:
    raw = request.args.get("since", "").strip()
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw)
        # A time without a zone is read as UTC, the API's only zone.
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):   # 9999-12-31T23:00-14:00 overflows in UTC
        raise BadParameter("since", "an ISO 8601 time, e.g. 2026-11-24T21:10:33Z") from None


def http_error(error: HTTPException) -> Response:
    return http_error_response(error)


def server_error(error: InternalServerError) -> Response:
    return error_response(500, "internal_server_error", "the server failed to answer")


# Flask prefers any handler registered for a status code — the site's HTML error pages
# included — over a handler for an exception class, so register JSON per code.
for _code in sorted(code for code in default_exceptions if code >= 400):
    bp.register_error_handler(_code, server_error if _code == 500 else http_error)


def route_errors_as_json() -> Response | None:
    """Unknown routes and wrong methods under /api/ never reach a blueprint's error
    handlers (routing fails first), so answer them here, before the site's HTML pages."""
    error = request.routing_exception
    if error is None or not request.path.startswith(API_PREFIX):
        return None
    if isinstance(error, RequestRedirect):   # e.g. a missing trailing slash: just follow
        return None
    if isinstance(error, HTTPException):
        return http_error_response(error)
    return None
