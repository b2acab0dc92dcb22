"""Paging cannot be turned against the database: no listing goes deeper than
MAX_LISTED_ITEMS."""

from __future__ import annotations

import pytest

from web.params import MAX_LISTED_ITEMS
from web.site.views import PER_PAGE

BOT = {"User-Agent": "statement-counter-bot"}   # no view counting in the way
DEEPEST = MAX_LISTED_ITEMS // PER_PAGE


@pytest.fixture
def uncached_app(settings, database):  # type: ignore[no-untyped-def]
    """Every request reaches its view, as junk in a query string makes it do."""
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
