"""Who a reader is told wrote an article and took its picture, end to end: a loopback
server serves the feed, the real pipeline polls it, and the article page and the JSON API
are read back."""

from __future__ import annotations

import html
from collections.abc import Callable

import pytest
import redis
from flask.testing import FlaskClient
from pytest_httpserver import HTTPServer
from sqlalchemy import select

from models.articles import Article
from models.db import Database
from tests.sources import add_source
from tests.workers.ingest.conftest import TEST_LIMITS
from workers.ingest.pipeline import ingest_source
from workers.ingest.steps.fetch import FeedClient

# An element feedparser reads and lxml refuses: the same feed through the fallback.
BREAK_THE_XML = "<br>"
RSS = ("<rss version='2.0' xmlns:media='http://search.yahoo.com/mrss/' "
       "xmlns:dc='http://purl.org/dc/elements/1.1/'><channel><title>Harbour News</title>"
       "<link>http://example.test/</link>{breakage}{items}</channel></rss>")

Poll = Callable[[str], list[Article]]


@pytest.fixture
def poll(httpserver: HTTPServer, database: Database, redis_client: redis.Redis,
         http: FeedClient) -> Poll:
    """Serve `document` as the one source's feed (added at the first call), poll it and
    return the source's articles, oldest first."""
    source_ids: list[int] = []

    def poll_document(document: str) -> list[Article]:
        httpserver.clear()
        httpserver.expect_request("/feed").respond_with_data(
            document.encode(), content_type="application/xml")
        if not source_ids:
            source_ids.append(add_source(database, httpserver.url_for("/feed")))
        ingest_source(source_ids[0], database=database, redis_client=redis_client,
                      http=http, limits=TEST_LIMITS)
        with database.reader() as session:
            return list(session.scalars(select(Article).where(
                Article.source_id == source_ids[0]).order_by(Article.id)))
    return poll_document


def page_of(client: FlaskClient, article: Article) -> str:
    response = client.get(f"/article/{article.id}-{article.slug}")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def _pictured_item(description: str, credit: str, *, body: str = "The fleet came home.",
                   ) -> str:
    return ("<item><guid>https://example.test/fleet</guid><title>The fleet is back</title>"
            "<link>https://example.test/fleet</link>"
            "<pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate>"
            f"<description>{body}</description>"
            "<media:content url='https://cdn.example/boats.jpg' medium='image'>"
            "<media:title>Boats in the harbour</media:title>"
            f"<media:description>{description}</media:description>"
            f"<media:credit role='photographer'>{credit}</media:credit></media:content>"
            "</item>")


@pytest.mark.parametrize("breakage", ["", BREAK_THE_XML])
def test_a_corrected_caption_or_credit_alone_reaches_the_page_without_an_updated_mark(
        poll: Poll, client: FlaskClient, breakage: str) -> None:
    [first] = poll(RSS.format(breakage=breakage, items=_pictured_item(
        "The fleet in port", "Ana Lopez")))
    assert first.image_caption == "The fleet in port. Photo: Ana Lopez"
    [second] = poll(RSS.format(breakage=breakage, items=_pictured_item(
        "The fleet in port at dawn", "Ana Lopes")))
    assert second.id == first.id
    assert (second.image_alt, second.image_caption) == (
        "Boats in the harbour", "The fleet in port at dawn. Photo: Ana Lopes")
    # Only the picture's words changed: the story itself was not updated.
    assert second.modified_at == first.modified_at
    page = page_of(client, second)
    assert "<figcaption>The fleet in port at dawn. Photo: Ana Lopes</figcaption>" in page
    assert "Ana Lopez" not in page
    assert 'class="updated"' not in page


def test_a_changed_body_beside_a_changed_caption_is_still_an_update(poll: Poll) -> None:
    [first] = poll(RSS.format(breakage="", items=_pictured_item("In port", "Ana Lopes")))
    [second] = poll(RSS.format(breakage="", items=_pictured_item(
        "At sea", "Ana Lopes", body="The fleet sailed again.")))
    assert second.image_caption == "At sea. Photo: Ana Lopes"
    assert second.modified_at > first.modified_at


PLANET = ("<feed xmlns='http://www.w3.org/2005/Atom'><title>Planet Tide</title>"
          "<author><name>Planet Tide editors</name></author>{breakage}"
          "<entry><id>https://tidewater.example/neap</id><title>Neap tides - Tidewater Notes"
          "</title><link href='https://tidewater.example/neap'/>"
          "<updated>2026-11-20T10:00:00Z</updated><summary>Why the sea barely moves.</summary>"
          "<source><id>tag:blogger.com,1999:blog-1</id><title>Tidewater Notes</title>"
          "<author><name>Jane Writer</name></author>"
          "<link rel='alternate' href='https://tidewater.example/'/></source></entry></feed>")


@pytest.mark.parametrize("breakage", ["", BREAK_THE_XML])
def test_a_planets_entry_names_the_blog_and_writer_it_was_copied_from(
        poll: Poll, client: FlaskClient, breakage: str) -> None:
    [article] = poll(PLANET.format(breakage=breakage))
    assert (article.title, article.author) == ("Neap tides", "Jane Writer (Tidewater Notes)")
    page = page_of(client, article)
    assert '<span class="author"> · Jane Writer (Tidewater Notes)</span>' in page
    assert "Planet Tide editors" not in page


@pytest.mark.parametrize("breakage", ["", BREAK_THE_XML])
def test_every_co_author_of_a_post_is_named_on_its_page(
        poll: Poll, client: FlaskClient, breakage: str) -> None:
    # WordPress with Co-Authors Plus: one dc:creator per author.
    [article] = poll(RSS.format(breakage=breakage, items=(
        "<item><guid isPermaLink='false'>https://gazette.example/?p=1201</guid>"
        "<title>Council approves the new sea wall</title>"
        "<link>https://gazette.example/2026/11/24/sea-wall/</link>"
        "<dc:creator><![CDATA[Priya Shah]]></dc:creator>"
        "<dc:creator><![CDATA[Tom O'Neill]]></dc:creator>"
        "<dc:creator><![CDATA[Li Wei]]></dc:creator>"
        "<pubDate>Tue, 24 Nov 2026 08:45:00 +0000</pubDate>"
        "<description><![CDATA[Work starts in March.]]></description></item>")))
    assert article.author == "Priya Shah, Tom O'Neill and Li Wei"
    page = page_of(client, article)
    assert '<span class="author"> · Priya Shah, Tom O\'Neill and Li Wei</span>' in page


@pytest.mark.parametrize("breakage", ["", BREAK_THE_XML])
def test_a_caption_and_credit_written_beside_the_picture_are_printed_under_it(
        poll: Poll, client: FlaskClient, breakage: str) -> None:
    # The New York Times' shape: a bare media:content, then the item's own media:credit
    # and media:description describing it.
    [article] = poll(RSS.format(breakage=breakage, items=(
        "<item><title>Ferry Service Returns After Storm Repairs</title>"
        "<link>https://times.example/2026/11/24/ferry.html</link>"
        "<guid isPermaLink='true'>https://times.example/2026/11/24/ferry.html</guid>"
        "<description>The crossing had been closed since October.</description>"
        "<pubDate>Tue, 24 Nov 2026 09:58:12 +0000</pubDate>"
        "<media:content height='1350' medium='image' width='1800' "
        "url='https://static.times.example/ferry-superJumbo.jpg'/>"
        "<media:credit>Lena Park for The Harbour Times</media:credit>"
        "<media:description>The first ferry of the morning leaving the east pier."
        "</media:description></item>")))
    caption = ("The first ferry of the morning leaving the east pier. "
               "Photo: Lena Park for The Harbour Times")
    assert (article.image_alt, article.image_caption) == (None, caption)
    page = page_of(client, article)
    assert f"<figcaption>{caption}</figcaption>" in page


def test_an_item_naming_its_own_feed_as_its_source_is_signed_by_its_author_alone(
        poll: Poll, client: FlaskClient) -> None:
    [article] = poll(RSS.format(breakage="", items=(
        "<item><guid>https://example.test/tides</guid><title>Tide tables</title>"
        "<link>https://example.test/tides</link><dc:creator>Jane Doe</dc:creator>"
        "<source url='http://example.test/feed'>Harbour News</source>"
        "<description>High water at six.</description></item>")))
    assert article.author == "Jane Doe"
    assert '<span class="author"> · Jane Doe</span>' in page_of(client, article)
