"""Feed autodiscovery from a page's <link rel="alternate"> tags."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from tests.workers.ingest.conftest import rss
from workers.ingest.discover import discover_feed, feed_links, looks_like_feed
from workers.ingest.errors import ParseError
from workers.ingest.steps.fetch import FeedClient


def test_feed_links_are_absolute_and_rss_is_preferred() -> None:
    html = """<html><head>
      <link rel="alternate" type="application/atom+xml" href="/atom.xml">
      <link rel="Alternate Home" type="application/RSS+XML; charset=utf-8" href="feed.rss">
      <link rel="alternate" type="application/feed+json" href="https://cdn.test/f.json">
      <link rel="stylesheet" type="text/css" href="/s.css">
      <link rel="alternate" type="application/rss+xml" href="">
    </head></html>"""
    assert feed_links(html, "http://site.test/blog/") == [
        "http://site.test/blog/feed.rss", "http://site.test/atom.xml",
        "https://cdn.test/f.json"]


@pytest.mark.parametrize(("content", "content_type", "expected"), [
    (b"<?xml version='1.0'?><rss/>", "text/xml", True),
    (b"\xef\xbb\xbf  <rss version='2.0'>", "", True),
    (b'{"version": "https://jsonfeed.org/version/1.1"}', "application/feed+json", True),
    (b"<!doctype html><html>", "text/html; charset=utf-8", False),
    (b"<?xml version='1.0'?><html>", "text/html", False),
    (b"<?xml version='1.0'?>\n<!-- wp --><rss version='2.0'>", "text/html; charset=utf-8",
     True),
    (b"<?xml version='1.0'?><?xml-stylesheet href='s.xsl'?><feed xmlns='x'>",
     "application/xhtml+xml", True),
    (b"<rdf:RDF xmlns:rdf='x'>", "text/html", True),
    (b'{"version": "https:\\/\\/jsonfeed.org\\/version\\/1", "items": []}', "text/html", True),
    (b'<?xml version="1.0"?><!DOCTYPE html><html xmlns="http://www.w3.org/1999/xhtml">',
     "application/xhtml+xml", False),
    (b'{"error": "not found"}', "text/html", False),
])
def test_looks_like_feed(content: bytes, content_type: str, expected: bool) -> None:
    assert looks_like_feed(content, {"content-type": content_type}) is expected


def test_a_page_behind_a_redirect_resolves_links_against_the_final_url(
        httpserver: HTTPServer, http: FeedClient) -> None:
    httpserver.expect_request("/").respond_with_data(
        "", status=302, headers={"Location": "/blog/"})
    httpserver.expect_request("/blog/").respond_with_data(
        '<link rel="alternate" type="application/rss+xml" href="rss">',
        content_type="text/html")
    assert discover_feed(http, httpserver.url_for("/")) == httpserver.url_for("/blog/rss")


def test_an_advertised_link_to_a_malformed_host_is_passed_over(
        httpserver: HTTPServer, http: FeedClient) -> None:
    """urljoin raises ValueError on an unclosed or non-address bracketed host: adding
    the page failed with a traceback instead of taking the next feed it advertises."""
    httpserver.expect_request("/").respond_with_data(
        '<link rel="alternate" type="application/rss+xml" href="http://[::1">'
        '<link rel="alternate" type="application/rss+xml" href="//[name]/rss">'
        '<link rel="alternate" type="application/atom+xml" href="/atom.xml">',
        content_type="text/html")
    assert discover_feed(http, httpserver.url_for("/")) == httpserver.url_for("/atom.xml")


@pytest.mark.parametrize("charset", ["undefined", "punycode", "idna"])
def test_a_page_declaring_a_codec_that_is_no_text_encoding_still_gives_its_feed(
        httpserver: HTTPServer, http: FeedClient, charset: str) -> None:
    """These codecs raise UnicodeError, not LookupError, even with errors='replace'."""
    httpserver.expect_request("/").respond_with_data(
        '<html><head><link rel="alternate" type="application/rss+xml" href="/rss.xml">'
        "</head><body>Caf\u00e9 news</body></html>".encode(),
        content_type=f"text/html; charset={charset}")
    assert discover_feed(http, httpserver.url_for("/")) == httpserver.url_for("/rss.xml")


def test_a_feed_url_is_its_own_feed(httpserver: HTTPServer, http: FeedClient) -> None:
    httpserver.expect_request("/feed").respond_with_data(rss(("a", "A")),
                                                         content_type="application/xml")
    assert discover_feed(http, httpserver.url_for("/feed#x")) == httpserver.url_for("/feed")


def test_a_page_without_feeds_is_refused(httpserver: HTTPServer, http: FeedClient) -> None:
    httpserver.expect_request("/").respond_with_data("<p>hi</p>", content_type="text/html")
    with pytest.raises(ParseError, match="neither a feed"):
        discover_feed(http, httpserver.url_for("/"))
