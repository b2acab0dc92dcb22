"""Real publishers' feeds (tests/data/real-feeds/, trimmed; sources and licences in its
README), served from a loopback server with the headers such feeds come with, polled by
the real pipeline, and read back as stored: what a reader of the site would get."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis
from pytest_httpserver import HTTPServer
from sqlalchemy import select

from models.articles import Article
from models.db import Database
from models.sources import Source
from tests.sources import add_source
from tests.workers.ingest.conftest import TEST_LIMITS
from workers.ingest.pipeline import ingest_source
from workers.ingest.steps.fetch import FeedClient

REAL_FEEDS = Path(__file__).resolve().parents[2] / "data" / "real-feeds"


@pytest.fixture
def poll(httpserver: HTTPServer, database: Database, redis_client: redis.Redis,
         http: FeedClient):  # type: ignore[no-untyped-def]
    """Serve a saved feed with `content_type`, poll it as a new source, return the source
    and its articles."""
    def poll_feed(name: str, content_type: str) -> tuple[Source, list[Article]]:
        httpserver.expect_request(f"/{name}").respond_with_data(
            (REAL_FEEDS / name).read_bytes(), content_type=content_type)
        source_id = add_source(database, httpserver.url_for(f"/{name}"))
        ingest_source(source_id, database=database, redis_client=redis_client, http=http,
                      limits=TEST_LIMITS)
        with database.reader() as session:
            source = session.get(Source, source_id)
            assert source is not None
            articles = list(session.scalars(select(Article)
                                            .where(Article.source_id == source_id)))
            session.expunge_all()
        return source, articles
    return poll_feed


def test_an_item_whose_author_and_open_graph_block_nest_a_title_and_description_keeps_its_own(
        poll) -> None:
    # Google's Cloud blog nests <author><name/><title>job title</title></author> and an
    # <og> block with its own <title> and <description> inside each item.
    source, articles = poll("google-cloud-blog.rss", "application/rss+xml; charset=utf-8")
    assert sorted(article.title for article in articles) == [
        "Build a dev workflow with Cloud Code on a Pixelbook",
        "Last month today: August on GCP"]
    [pixelbook] = [article for article in articles if "Pixelbook" in article.title]
    assert pixelbook.author == "Simon Zeltser"
    # The body is the item's description, not the Open Graph teaser nested beside it.
    assert "Pixelbooks are slim, light, ergonomic" in pixelbook.content_html
    assert pixelbook.summary.startswith("Can you use a Pixelbook for serious software")


def test_a_cyrillic_feed_served_with_the_servers_latin_default_charset_is_read_as_it_declares(
        poll) -> None:
    # Apache's old `AddDefaultCharset ISO-8859-1` labels every file Latin-1; the feed's
    # own declaration says windows-1251, and its generator knew.
    source, articles = poll("ibash-windows-1251.xml", "text/xml; charset=ISO-8859-1")
    assert sorted(article.title for article in articles) == ["Цитата #17703", "Цитата #17705"]
    assert "кот немного пхп знает?" in " ".join(article.content_html for article in articles)
    assert source.status == "ok"
