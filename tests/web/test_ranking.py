"""The ranking of stories is worked out once per content version (web/ranking.py): a
signed-in reader's front page and GET /api/v1/stories each used to rank RANK_CANDIDATES
stories with their members on every request, about a tenth of a second of a web worker
per request, for anyone who cared to send them in a loop."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from hopper import content_version
from models import stories
from models.base import utcnow
from models.db import Database
from models.stories import Story
from tests.article_rows import ArticleRows
from web.site.views import HEADLINES, PER_PAGE

STORY_COUNT = 60


@pytest.fixture
def rows(database: Database) -> ArticleRows:
    return ArticleRows(database)


@contextmanager
def stories_loaded() -> Iterator[list[int]]:
    """The ids of every Story row the ORM builds while the block runs."""
    loaded: list[int] = []

    def record(target: Story, _context: object) -> None:
        loaded.append(target.id)

    event.listen(Story, "load", record)
    try:
        yield loaded
    finally:
        event.remove(Story, "load", record)


def _seed(rows) -> None:  # type: ignore[no-untyped-def]
    source = rows.source()
    for number in range(STORY_COUNT):    # each article a story of its own
        rows.article(f"Story {number}", source=rows.source() if number % 3 else source)


def _api_ids(client, query: str) -> list[int]:  # type: ignore[no-untyped-def]
    return [item["id"] for item in client.get(f"/api/v1/stories?{query}").get_json()["items"]]


def test_api_stories_rank_once_then_read_only_the_page_asked_for(client, rows,
                                                                 database) -> None:
    _seed(rows)
    with stories_loaded() as first:
        everything = _api_ids(client, "per_page=100")
    assert len(first) >= STORY_COUNT     # the first request ranks every candidate
    with database.reader() as session:
        assert everything == [card.story.id for card in stories.ranked_cards(
            session, now=utcnow())]
    for page in (2, 7):
        with stories_loaded() as later:
            body = client.get(f"/api/v1/stories?page={page}&per_page=3").get_json()
        assert len(later) <= 3, later    # not STORY_COUNT: the order is remembered
        assert [item["id"] for item in body["items"]] == everything[(page - 1) * 3:page * 3]
        assert body["total"] == STORY_COUNT


def test_new_content_is_ranked_again_at_once(client, rows, redis_client) -> None:
    _seed(rows)
    before = _api_ids(client, "per_page=100")
    fresh = rows.article("Fresh news", source=rows.source(), age=None)
    content_version.bump(redis_client)   # as ingest does after storing articles
    after = _api_ids(client, "per_page=100")
    assert fresh.story_id in after and fresh.story_id not in before
    assert len(after) == STORY_COUNT + 1


def test_a_signed_in_front_page_reads_only_the_stories_it_shows(client, rows, make_user,
                                                                 login_as) -> None:
    _seed(rows)
    login_as(make_user())
    with stories_loaded() as first:
        first_page = client.get("/").get_data(as_text=True)
    assert len(first) >= STORY_COUNT
    with stories_loaded() as later:
        again = client.get("/").get_data(as_text=True)
    assert len(later) <= HEADLINES + 1 + PER_PAGE + 1, len(later)
    titles = [f">Story {number}<" for number in range(STORY_COUNT)]
    shown = [title for title in titles if title in first_page]
    assert len(shown) > HEADLINES      # headlines and the river
    assert [title for title in titles if title in again] == shown
