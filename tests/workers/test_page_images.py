"""An entry without an image takes its article page's og:image, fetched politely
(workers/page_images.py), from a real publisher's site on loopback."""

from __future__ import annotations

from pytest_httpserver import HTTPServer
from sqlalchemy import select

from models.articles import Article
from models.db import Database
from tests.article_rows import ArticleRows
from workers.ingest.fulltext.pages import RobotsCache
from workers.ingest.steps.fetch import FeedClient
from workers.page_images import find_page_images, og_image

PAGE = ('<!doctype html><html><head><title>Story</title>'
        '<meta property="og:image" content="{image}"></head><body>Words</body></html>')


def find(database: Database, settings) -> int:  # type: ignore[no-untyped-def]
    """One run, with robots.txt read afresh (the test server's origin repeats)."""
    return find_page_images(database, FeedClient.from_settings(settings),
                            robots=RobotsCache(), source_id=None)


def full_source(database: Database):  # type: ignore[no-untyped-def]
    """A source whose pages Hopper may fetch: full rights, full text on."""
    return ArticleRows(database).source(rights="full", full_text="on")


def image_of(database: Database, title: str) -> tuple[str | None, bool]:
    with database.reader() as session:
        url, checked_at = session.execute(
            select(Article.image_url, Article.image_checked_at)
            .where(Article.title == title)).one()
    return url, checked_at is not None


def serve_article(httpserver: HTTPServer, robots: str | None = "") -> str:
    if robots is not None:
        httpserver.expect_request("/robots.txt").respond_with_data(robots,
                                                                   content_type="text/plain")
    httpserver.expect_request("/story.html").respond_with_data(
        PAGE.format(image="/images/lead.jpg"), content_type="text/html")
    return httpserver.url_for("/story.html")


def test_an_article_without_an_image_takes_its_pages_og_image_once(
        settings, database, httpserver: HTTPServer) -> None:
    page = serve_article(httpserver)
    ArticleRows(database).article("Bare", url=page, source=full_source(database))
    assert find(database, settings) == 1
    assert image_of(database, "Bare") == (httpserver.url_for("/images/lead.jpg"), True)
    find(database, settings)
    assert [request.path for request, _ in httpserver.log] == ["/robots.txt", "/story.html"]


def test_a_sharing_image_on_a_malformed_host_gives_way_to_the_next(
        settings, database, httpserver: HTTPServer) -> None:
    """urljoin raises ValueError on an unclosed bracketed host: the page's og:image
    failed the whole task instead of leaving the twitter:image to be used."""
    httpserver.expect_request("/robots.txt").respond_with_data("", content_type="text/plain")
    httpserver.expect_request("/story.html").respond_with_data(
        '<html><head><meta property="og:image" content="http://[::1/lead.jpg">'
        '<meta name="twitter:image" content="/images/card.jpg"></head><body>Words</body>'
        "</html>", content_type="text/html")
    page = httpserver.url_for("/story.html")
    ArticleRows(database).article("Bare", url=page, source=full_source(database))
    assert find(database, settings) == 1
    assert image_of(database, "Bare") == (httpserver.url_for("/images/card.jpg"), True)


def test_robots_txt_that_forbids_the_page_is_obeyed(settings, database, httpserver) -> None:
    page = serve_article(httpserver, robots="User-agent: *\nDisallow: /story")
    ArticleRows(database).article("Private", url=page, source=full_source(database))
    assert find(database, settings) == 0
    assert image_of(database, "Private") == (None, True)
    assert [request.path for request, _ in httpserver.log] == ["/robots.txt"]


def test_a_site_without_robots_txt_may_be_read(settings, database, httpserver) -> None:
    page = serve_article(httpserver, robots=None)
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    ArticleRows(database).article("Open", url=page, source=full_source(database))
    assert find(database, settings) == 1


def test_videos_images_and_sources_whose_pages_are_off_limits_are_left_alone(settings, database,
                                                         httpserver) -> None:
    page = serve_article(httpserver)
    rows = ArticleRows(database)
    source = full_source(database)
    rows.article("Video", url=page, is_video=True, source=source)
    rows.article("Pictured", url=page, image_url="https://cdn.example/a.jpg", source=source)
    rows.article("Excerpt only", url=page, source=rows.source(rights="excerpt"))
    rows.article("No full text", url=page, source=rows.source(rights="full",
                                                              full_text="off"))
    assert find(database, settings) == 0
    assert httpserver.log == []


def test_og_image_prefers_og_then_twitter_and_refuses_other_schemes() -> None:
    base = "https://news.example/a/story"
    assert og_image('<meta name="twitter:image" content="/t.jpg">'
                    '<meta property="og:image" content="o.jpg">', base) == \
        "https://news.example/a/o.jpg"
    assert og_image('<meta name="twitter:image" content="/t.jpg">', base) == \
        "https://news.example/t.jpg"
    assert og_image('<meta property="og:image" content="javascript:alert(1)">', base) is None
    assert og_image("<p>no meta</p>", base) is None
