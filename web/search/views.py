"""/search (a plain GET form that works without JavaScript) and /search/live, the JSON
the header's live search asks for while the reader types. Both run full-text queries
(and a spelling correction when nothing matches) and no cache answers them, so both are
limited per client like the JSON API; a 429 is the site's error page, or JSON for
/search/live. The query string is read leniently (a bad value is ignored), except a page
deeper than any listing goes (web/params.py, MAX_LISTED_ITEMS): that is a 404."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    url_for,
)
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import TooManyRequests

from models import publishing
from models.permalinks import article_path
from models.search import (
    MAX_QUERY_CHARS,
    ArticleFilters,
    SearchHit,
    SearchPage,
    SearchQuery,
    Topic,
    matching_topics,
    search_articles,
)
from web.api.errors import http_error_response
from web.extensions import READ_RATE_LIMIT, db_session, limiter
from web.params import last_page
from web.site import render_error

bp = Blueprint("search", __name__)
limiter.limit(lambda: current_app.config.get("SEARCH_RATE_LIMIT", READ_RATE_LIMIT))(bp)

RESULTS_PER_PAGE = 10
LIVE_RESULTS = 5
# Matches read to fill LIVE_RESULTS with distinct stories (many outlets cover one event).
LIVE_CANDIDATES = 4 * LIVE_RESULTS
LIVE_TOPICS = 3


@dataclass(frozen=True)
class SearchForm:
    """The query string of /search, read leniently: a bad value is ignored, never an error."""

    text: str
    section: str
    source_id: int | None
    from_date: date | None
    to_date: date | None
    page: int

    @classmethod
    def from_args(cls, args: MultiDict[str, str]) -> SearchForm:
        # PostgreSQL refuses NUL in text parameters: it could never match.
        return cls(text=query_text(args),
                   section=args.get("section", "").replace("\x00", "")[:80],
                   source_id=_int_or_none(args.get("source")),
                   from_date=_date_or_none(args.get("from")),
                   to_date=_date_or_none(args.get("to")),
                   page=max(1, _int_or_none(args.get("page")) or 1))

    def query(self) -> SearchQuery:
        filters = ArticleFilters(
            section_slug=self.section or None, source_id=self.source_id,
            published_from=_start_of(self.from_date) if self.from_date else None,
            # "to" is inclusive for the reader: everything before the next day.
            published_before=(_start_of(self.to_date + timedelta(days=1))
                              if self.to_date and self.to_date < date.max else None))
        return SearchQuery(text=self.text, filters=filters, page=self.page,
                           per_page=RESULTS_PER_PAGE, is_one_per_story=True)

    def args(self, **changes: object) -> dict[str, object]:
        """This search's query string (for pagination links), empty values left out."""
        values: dict[str, object] = {
            "q": self.text, "section": self.section, "source": self.source_id,
            "from": self.from_date.isoformat() if self.from_date else None,
            "to": self.to_date.isoformat() if self.to_date else None}
        values.update(changes)
        return {key: value for key, value in values.items() if value not in (None, "")}


@bp.get("/search")
def results() -> str:
    form = SearchForm.from_args(request.args)
    if form.page > last_page(RESULTS_PER_PAGE):
        abort(404)
    session = db_session()
    page = search_articles(session, form.query()) if form.text else None
    return render_template(
        "search/results.html", form=form, page=page, article_path=article_path,
        topic_url=topic_url, topic_labels=TOPIC_LABELS,
        sections=publishing.all_sections(session), sources=publishing.all_sources(session))


@bp.get("/search/live")
def live() -> Response:
    text = query_text(request.args)
    session = db_session()
    page = search_articles(session, SearchQuery(text=text, per_page=LIVE_CANDIDATES,
                                                is_prefix=True))
    topics = matching_topics(session, text, is_prefix=True, limit=LIVE_TOPICS) if text else []
    return jsonify(live_results(text, page, topics))


def one_per_story(hits: list[SearchHit], limit: int) -> list[SearchHit]:
    """The best-ranked hit of each story, at most `limit`: the live box offers five events,
    not one event's headline from five outlets (its full coverage is a click away)."""
    chosen: list[SearchHit] = []
    stories: set[int] = set()
    for hit in hits:
        story_id = hit.article.story_id
        if story_id is not None and story_id in stories:
            continue
        if story_id is not None:
            stories.add(story_id)
        chosen.append(hit)
        if len(chosen) == limit:
            break
    return chosen


@bp.errorhandler(429)
def too_many_searches(error: TooManyRequests) -> Response | tuple[str, int]:
    if request.endpoint == "search.live":   # the header's script reads JSON
        return http_error_response(error)
    return render_error(error)   # the site's page (the app's 429 page is about forms)


TOPIC_LABELS = {"tag": "Tag", "section": "Section", "source": "Source"}


def topic_url(topic: Topic) -> str:
    if topic.kind == "tag":
        return url_for("site.tag", slug=topic.slug)
    if topic.kind == "section":
        return url_for("site.section", slug=topic.slug)
    return url_for("site.source", source_id=topic.id)


def live_results(text: str, page: SearchPage, topics: list[Topic]) -> dict[str, object]:
    """Titles travel as [text, is_match] pieces: the script builds text nodes and <mark>
    elements from them and never parses HTML."""
    return {
        "query": text,
        "total": page.total,
        "corrected": page.corrected_text,
        "topics": [{"kind": TOPIC_LABELS[topic.kind], "name": topic.name,
                    "url": topic_url(topic)} for topic in topics],
        "results": [{
            "title": [[piece, is_match] for piece, is_match in hit.title_segments],
            "url": article_path(hit.article),
            "source": hit.article.source.name,
            "published_at": hit.article.published_at.isoformat(),
        } for hit in one_per_story(page.hits, LIVE_RESULTS)],
        "all_url": url_for("search.results", q=text),
    }


def query_text(args: MultiDict[str, str]) -> str:
    """The typed query; a NUL (PostgreSQL refuses it in text) separates words like a space."""
    return args.get("q", "")[:MAX_QUERY_CHARS].replace("\x00", " ").strip()


def _int_or_none(value: str | None) -> int | None:
    """A positive integer that fits a database integer column, else None."""
    if not value or not value.isascii() or not value.isdigit() or len(value) > 9:
        return None
    return int(value) or None


def _date_or_none(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)
