"""Full text for summary-only feeds: robots.txt first, then the page through the guarded
client, then trafilatura's main text, sanitised. Real pages on a loopback server."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from models.full_text import FullTextJob
from tests.workers.ingest.articles import quality, saved_pages
from workers.ingest.cleaning.sanitise import plain_text
from workers.ingest.fulltext.extract import page_reuse_signals
from workers.ingest.fulltext.pages import RobotsCache
from workers.ingest.fulltext.pipeline import SHORT_BODY_CHARS, fetch_full_text, wants_full_text
from workers.ingest.steps.fetch import FeedClient

SUMMARY = "<p>A short summary from the feed.</p>"
PAGES = saved_pages()
ALLOW_ALL = "User-agent: *\nAllow: /\n"


def _job(url: str, body: str = SUMMARY, mode: str = "auto") -> FullTextJob:
    return FullTextJob(article_id=1, source_id=1, url=url, mode=mode, body_html=body)


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_a_saved_real_article_page_gives_its_article_text(
        page, httpserver: HTTPServer, http: FeedClient) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data(ALLOW_ALL)
    httpserver.expect_request("/story").respond_with_data(
        page.html, content_type="text/html; charset=utf-8")
    result = fetch_full_text(_job(httpserver.url_for("/story")), http=http,
                             robots=RobotsCache())
    assert result.error is None and result.html
    assert "<script" not in result.html and "<style" not in result.html
    measured = quality(plain_text(result.html), page.expected_text)
    assert measured.recall >= 0.95 and measured.f1 >= 0.85, measured


def test_robots_txt_that_disallows_hopper_keeps_the_summary_and_says_why(
        httpserver: HTTPServer, http: FeedClient) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data(
        "User-agent: Hopper\nDisallow: /news/\n\nUser-agent: *\nAllow: /\n")
    result = fetch_full_text(_job(httpserver.url_for("/news/1")), http=http,
                             robots=RobotsCache())
    assert result.html is None
    assert result.error is not None and "robots.txt does not allow Hopper" in result.error
    assert [entry[0].path for entry in httpserver.log] == ["/robots.txt"]


@pytest.mark.parametrize(("status", "is_allowed"), [(404, True), (500, False)])
def test_a_missing_robots_txt_allows_and_an_unreadable_one_does_not(
        httpserver: HTTPServer, http: FeedClient, status: int, is_allowed: bool) -> None:
    """RFC 9309 §2.3.1.3 and §2.3.1.4."""
    httpserver.expect_request("/robots.txt").respond_with_data("", status=status)
    httpserver.expect_request("/story").respond_with_data(
        PAGES[0].html, content_type="text/html")
    result = fetch_full_text(_job(httpserver.url_for("/story")), http=http,
                             robots=RobotsCache())
    assert (result.html is not None) is is_allowed


def test_robots_txt_is_read_once_per_origin(httpserver: HTTPServer, http: FeedClient) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data(ALLOW_ALL)
    httpserver.expect_request("/story").respond_with_data(PAGES[0].html,
                                                          content_type="text/html")
    robots = RobotsCache()
    for _ in range(3):
        fetch_full_text(_job(httpserver.url_for("/story")), http=http, robots=robots)
    assert [entry[0].path for entry in httpserver.log].count("/robots.txt") == 1


def test_the_ssrf_guard_refuses_article_pages_on_private_addresses(
        httpserver: HTTPServer, guarded_http: FeedClient) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data(ALLOW_ALL)
    httpserver.expect_request("/story").respond_with_data(PAGES[0].html)
    result = fetch_full_text(_job(httpserver.url_for("/story")), http=guarded_http,
                             robots=RobotsCache())
    assert result.html is None
    assert result.error is not None and "robots.txt does not allow" in result.error
    assert httpserver.log == []                 # not even robots.txt was requested


@pytest.mark.parametrize("charset", ["undefined", "punycode", "idna"])
def test_a_page_declaring_a_codec_that_is_no_text_encoding_is_read_as_utf8(
        httpserver: HTTPServer, http: FeedClient, charset: str) -> None:
    """Python knows 'undefined', 'punycode' and 'idna' as codecs, and they raise
    UnicodeError (not LookupError) on a page's bytes, even with errors='replace':
    the task failed instead of reading the page as browsers do (an unknown label)."""
    page = PAGES[0]
    httpserver.expect_request("/robots.txt").respond_with_data(ALLOW_ALL)
    httpserver.expect_request("/story").respond_with_data(
        page.html, content_type=f"text/html; charset={charset}")
    result = fetch_full_text(_job(httpserver.url_for("/story")), http=http,
                             robots=RobotsCache())
    assert result.error is None and result.html


def test_a_page_too_large_fails_and_keeps_the_summary(
        httpserver: HTTPServer, http: FeedClient) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data(ALLOW_ALL)
    httpserver.expect_request("/huge").respond_with_data(b"<p>" + b"x" * (2 * 1024 * 1024))
    result = fetch_full_text(_job(httpserver.url_for("/huge")), http=http,
                             robots=RobotsCache())
    assert result.html is None and result.error is not None


def test_reuse_signals_from_the_page_and_robots_txt_are_reported(
        httpserver: HTTPServer, http: FeedClient) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data(
        "License: https://gazette.example/license.xml\nUser-agent: *\nAllow: /\n")
    page = PAGES[0].html.replace(
        b"<head>", b'<head><meta name="robots" content="noarchive, max-snippet:120">', 1)
    httpserver.expect_request("/story").respond_with_data(
        page, content_type="text/html", headers={"X-Robots-Tag": "nosnippet"})
    result = fetch_full_text(_job(httpserver.url_for("/story")), http=http,
                             robots=RobotsCache())
    assert set(result.signals) == {
        "page header X-Robots-Tag: nosnippet",
        'page <meta name="robots">: noarchive',
        'page <meta name="robots">: max-snippet:120',
        "robots.txt License: https://gazette.example/license.xml"}


def test_a_feed_body_as_long_as_the_page_is_kept(httpserver: HTTPServer,
                                                 http: FeedClient) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data(ALLOW_ALL)
    httpserver.expect_request("/story").respond_with_data(PAGES[0].html,
                                                          content_type="text/html")
    body = f"<p>{PAGES[0].expected_text}</p><p>{PAGES[0].expected_text}</p>"
    result = fetch_full_text(_job(httpserver.url_for("/story"), body=body, mode="on"),
                             http=http, robots=RobotsCache())
    assert (result.html, result.error) == (None, None)


@pytest.mark.parametrize(("mode", "body", "wanted"), [
    ("on", "<p>" + "long " * SHORT_BODY_CHARS + "</p>", True),
    ("off", SUMMARY, False),
    ("auto", SUMMARY, True),
    ("auto", "<p>" + "long " * SHORT_BODY_CHARS + "</p>", False)])
def test_auto_fetches_only_for_short_bodies(mode: str, body: str, wanted: bool) -> None:
    assert wants_full_text(mode, body) is wanted


def test_page_signals_ignore_other_meta_tags() -> None:
    assert page_reuse_signals('<meta name="description" content="noarchive">') == []
