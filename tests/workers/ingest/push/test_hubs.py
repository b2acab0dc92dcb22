"""WebSub discovery while parsing: the hub and topic a feed names, in its Link headers or
its body, on the fast path and the feedparser path alike; and fetched through a real
loopback server that sends them as two separate Link headers."""

from __future__ import annotations

import json

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from workers.ingest.parsing.fastxml import read_xml
from workers.ingest.parsing.lenient import read_leniently
from workers.ingest.push.hubs import link_header_targets
from workers.ingest.steps.fetch import FeedClient
from workers.ingest.steps.parse import parse_feed

URL = "http://news.example/feeds/all.xml"
ATOM_LINKS = ('<atom:link rel="hub" href="https://hub.example/"/>'
              '<atom:link rel="self" href="/feeds/canonical.xml"/>')
RSS_WITH_HUB = (f'<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>'
                f"<title>T</title><link>http://news.example/</link>{ATOM_LINKS}"
                f"<item><guid>1</guid><title>One</title>"
                f'<atom:link rel="hub" href="https://entry-level.example/"/></item>'
                f"</channel></rss>")
ATOM_WITH_HUB = ('<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
                 '<link rel="alternate" href="http://news.example/"/>'
                 '<link rel="hub" href="https://hub.example/"/>'
                 '<link rel="self" href="http://news.example/feeds/canonical.xml"/>'
                 '<entry><id>1</id><title>One</title></entry></feed>')
RDF_WITH_HUB = ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                'xmlns="http://purl.org/rss/1.0/" xmlns:atom="http://www.w3.org/2005/Atom">'
                f'<channel rdf:about="http://news.example/"><title>T</title>{ATOM_LINKS}'
                "</channel><item rdf:about='http://news.example/1'><title>One</title>"
                "<link>http://news.example/1</link></item></rdf:RDF>")
EXPECTED = ("https://hub.example/", "http://news.example/feeds/canonical.xml")


@pytest.mark.parametrize("document", [RSS_WITH_HUB, ATOM_WITH_HUB, RDF_WITH_HUB],
                         ids=["rss", "atom", "rdf"])
def test_feed_level_atom_links_name_the_hub_and_topic_on_both_paths(document: str) -> None:
    fast = read_xml(document, URL)
    lenient, _ = read_leniently(document, URL)
    assert (fast.hub_url, fast.self_url) == EXPECTED
    assert (lenient.hub_url, lenient.self_url) == EXPECTED
    assert (parse_feed(document.encode(), {}, URL).hub_url,) == (EXPECTED[0],)


def test_a_broken_feed_read_by_feedparser_still_names_its_hub() -> None:
    broken = RSS_WITH_HUB.replace("<title>One</title>", "<title>One & two</title>")
    feed = parse_feed(broken.encode(), {}, URL)
    assert feed.warnings and (feed.hub_url, feed.self_url) == EXPECTED


def test_link_headers_win_over_the_body_and_resolve_against_the_feed_url() -> None:
    headers = {"Link": '</push>; rel="hub", <https://news.example/topic>; rel=self'}
    feed = parse_feed(RSS_WITH_HUB.encode(), headers, URL)
    assert (feed.hub_url, feed.self_url) == ("http://news.example/push",
                                             "https://news.example/topic")


def test_a_feed_without_a_hub_names_none() -> None:
    feed = parse_feed(b"<rss version='2.0'><channel><title>T</title></channel></rss>",
                      {"link": '<http://news.example/page2>; rel="next"'}, URL)
    assert (feed.hub_url, feed.self_url) == (None, None)


def test_a_json_feed_names_its_websub_hub() -> None:
    document = {"version": "https://jsonfeed.org/version/1.1", "title": "T",
                "feed_url": "http://news.example/feed.json",
                "hubs": [{"type": "rssCloud", "url": "http://cloud.example/"},
                         {"type": "WebSub", "url": "https://hub.example/"}], "items": []}
    feed = parse_feed(json.dumps(document).encode(), {}, URL)
    assert (feed.hub_url, feed.self_url) == ("https://hub.example/",
                                             "http://news.example/feed.json")


def test_link_header_values_follow_rfc_8288() -> None:
    value = ('<http://a.example/hub>; rel="hub", <http://a.example/f?x=1,2>; '
             'title="a, b"; rel="self", <javascript:x>; rel=hub, <h>; rel="HUB self"')
    assert list(link_header_targets(value)) == [
        ("http://a.example/hub", frozenset({"hub"})),
        ("http://a.example/f?x=1,2", frozenset({"self"})),
        ("javascript:x", frozenset({"hub"})),
        ("h", frozenset({"hub", "self"}))]
    headers = {"link": "<javascript:alert(1)>; rel=hub"}
    assert parse_feed(RSS_WITH_HUB.encode(), headers, URL).hub_url == EXPECTED[0]


def test_two_separate_link_headers_both_reach_the_parser(httpserver: HTTPServer,
                                                        http: FeedClient) -> None:
    plain = RSS_WITH_HUB.replace(ATOM_LINKS, "")
    response = Response(plain, content_type="application/rss+xml")
    response.headers.add("Link", '<https://hub.example/>; rel="hub"')
    response.headers.add("Link", '<https://news.example/topic>; rel="self"')
    httpserver.expect_request("/feed").respond_with_response(response)
    fetched = http.fetch(httpserver.url_for("/feed"))
    feed = parse_feed(fetched.content, fetched.headers, fetched.url)
    assert (feed.hub_url, feed.self_url) == ("https://hub.example/",
                                             "https://news.example/topic")
