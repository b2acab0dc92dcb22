"""Paging cannot be turned against the database: no listing goes deeper than
MAX_LISTED_ITEMS, and the home page's later pages do not work out page 1 again for
every request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from hopper import content_version
from models.articles import Article
from models.base import utcnow
from models.stories import Story
from web.params import MAX_LISTED_ITEMS
from web.site.views import PER_PAGE

BOT = {"User-Agent": "statement-counter-bot"}   # no view counting in the way
DEEPEST = MAX_LISTED_ITEMS // PER_PAGE


@pytest.fixture
def uncached_app(settings, database):  # type: ignore[no-untyped-def]
    """Every request reaches its view, as a signed-in reader's does."""
    from web import create_app

    app = create_app({"TESTING": True, "PAGE_CACHE_ENABLED": False}, settings=settings)
    yield app
    app.extensions["hopper_database"].dispose()


def statements_for(app, statements, url: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    executed = statements(app)
    executed.clear()
    status = app.test_client().get(url, headers=BOT).status_code
    return status, len(executed)


def test_a_listing_page_beyond_the_deepest_is_refused_before_any_listing_query(
        uncached_app, statements, make) -> None:
    news = make.section("News")
    source = make.source("Wire", section=news)
    make.article(source, section=news, tags=["harbour"])
    for path in ["/", "/section/news", "/tag/harbour", f"/source/{source.id}", "/video"]:
        last_status, last_count = statements_for(uncached_app, statements,
                                                 f"{path}?page={DEEPEST}")
        status, count = statements_for(uncached_app, statements, f"{path}?page={DEEPEST + 1}")
        assert (last_status, status) == (404, 404), path   # both beyond this small site
        assert count < last_count, path                     # but only one looked


def build_stories(make, count: int, *, offset: int) -> None:  # type: ignore[no-untyped-def]
    sources = [make.source(f"Outlet {offset + number}") for number in range(3)]
    start = utcnow() - timedelta(hours=1)
    for index in range(count):
        make.article(sources[index % 3], title=f"Event {offset + index}",
                     published_at=start - timedelta(minutes=offset + index))


@pytest.fixture
def rows_read():  # type: ignore[no-untyped-def]
    """Counts the article and story rows requests load (the ORM's `load` event)."""
    loaded: list[object] = []

    def record(target, _context) -> None:  # type: ignore[no-untyped-def]
        loaded.append(target)

    for model in (Article, Story):
        event.listen(model, "load", record)
    yield loaded
    for model in (Article, Story):
        event.remove(model, "load", record)


def rows_for(app, rows_read, url: str) -> int:  # type: ignore[no-untyped-def]
    rows_read.clear()
    assert app.test_client().get(url, headers=BOT).status_code == 200, url
    return len(rows_read)


def test_later_home_pages_read_page_one_once_per_content_version(
        uncached_app, rows_read, make, redis_client) -> None:
    """A flood of `/?page=N` that misses the page cache (signed in) pays for ranking the
    front page once per content version; otherwise a later page reads its own cards only,
    as many rows for 80 stories as for 200."""
    build_stories(make, 80, offset=0)
    first = rows_for(uncached_app, rows_read, "/?page=2")
    small = [rows_for(uncached_app, rows_read, f"/?page={number}") for number in (2, 3)]
    build_stories(make, 120, offset=100)
    content_version.bump(redis_client)    # as ingest does when it stores articles
    first_after_ingest = rows_for(uncached_app, rows_read, "/?page=2")
    large = [rows_for(uncached_app, rows_read, f"/?page={number}") for number in (2, 3)]

    assert small == large and max(small) <= 2 * (PER_PAGE + 1)   # a card and its story
    assert first > 80 and first_after_ingest > 200   # page 1 worked out: every story
