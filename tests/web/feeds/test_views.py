"""RSS out, the sitemap and robots.txt: valid documents (feedparser reads the feeds back
without a bozo flag), absolute links on the configured base URL."""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import feedparser

from models.permalinks import article_path
from web.feeds.xml import NEWS_NS, SITEMAP_NS

BASE = "http://127.0.0.1:5000"   # HOPPER_BASE_URL of the test run


def test_site_feed_is_valid_rss_with_absolute_permalinks_newest_first(client, rows) -> None:
    news = rows.section("news", "News")
    older = rows.article("Older story", summary="First & x<y",
                         published_at=datetime(2026, 11, 1, 8, tzinfo=UTC), section=news)
    newer = rows.article("Newer story", published_at=datetime(2026, 11, 2, 9, tzinfo=UTC))
    response = client.get("/feed.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/rss+xml"
    feed = feedparser.parse(response.data)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "rss20"
    assert feed.feed.title == "Hopper"
    assert feed.feed.link == BASE + "/"
    assert [entry.title for entry in feed.entries] == ["Newer story", "Older story"]
    first, second = feed.entries
    assert first.link == BASE + article_path(newer)
    assert first.id == BASE + article_path(newer)
    assert second.link == BASE + article_path(older)
    # The summary is text: escaped once, an HTML reader shows exactly it.
    assert second.summary == "First &amp; x&lt;y"
    assert second.tags[0].term == "News"
    assert second.published_parsed[:5] == (2026, 11, 1, 8, 0)
    assert second.source.title == "Example News"


def test_feed_survives_characters_xml_forbids(client, rows) -> None:
    rows.article("Bell\x07 and form\x0cfeed ]]> <title> 🦊", summary="vertical\x0b tab")
    feed = feedparser.parse(client.get("/feed.xml").data)
    assert feed.bozo == 0, feed.get("bozo_exception")
    # Titles are HTML-escaped like descriptions (see test_titles_are_escaped_…).
    assert html.unescape(feed.entries[0].title) == "Bell and formfeed ]]> <title> 🦊"


def test_section_feed_holds_the_section_and_its_children_only(client, rows) -> None:
    news = rows.section("news", "News")
    politics = rows.section("politics", "Politics", parent=news)
    rows.article("Vote tonight", section=politics)
    rows.article("Match report", section=rows.section("sport"))
    feed = feedparser.parse(client.get("/section/news/feed.xml").data)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.feed.title == "News – Hopper"
    assert feed.feed.link == BASE + "/section/news"
    assert [entry.title for entry in feed.entries] == ["Vote tonight"]


def test_unknown_section_feed_is_not_found(client) -> None:
    assert client.get("/section/nope/feed.xml").status_code == 404


def test_empty_site_still_has_a_valid_feed(client) -> None:
    feed = feedparser.parse(client.get("/feed.xml").data)
    assert feed.bozo == 0
    assert feed.entries == []


def test_sitemap_lists_absolute_urls_with_news_for_the_last_two_days(client, rows) -> None:
    rows.section("sport")
    fresh = rows.article("Fresh & new", age=timedelta(hours=3))
    old = rows.article("Old news", age=timedelta(days=5))
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    index = ET.fromstring(response.data)  # noqa: S314 - our own document
    children = [loc.text for loc in index.iter(f"{{{SITEMAP_NS}}}loc")]
    assert children == [BASE + "/sitemap-1.xml"]
    root = ET.fromstring(client.get("/sitemap-1.xml").data)  # noqa: S314
    urls = {url.findtext(f"{{{SITEMAP_NS}}}loc"): url
            for url in root.findall(f"{{{SITEMAP_NS}}}url")}
    assert set(urls) == {BASE + "/", BASE + "/section/sport", BASE + article_path(fresh),
                         BASE + article_path(old)}
    fresh_url = urls[BASE + article_path(fresh)]
    assert fresh_url.findtext(f"{{{NEWS_NS}}}news/{{{NEWS_NS}}}title") == "Fresh & new"
    assert fresh_url.findtext(
        f"{{{NEWS_NS}}}news/{{{NEWS_NS}}}publication/{{{NEWS_NS}}}name") == "Hopper"
    published = fresh_url.findtext(f"{{{NEWS_NS}}}news/{{{NEWS_NS}}}publication_date")
    assert datetime.fromisoformat(published) == fresh.published_at.replace(microsecond=0)
    assert urls[BASE + article_path(old)].find(f"{{{NEWS_NS}}}news") is None
    assert urls[BASE + article_path(old)].findtext(f"{{{SITEMAP_NS}}}lastmod")


def test_robots_points_at_the_sitemap_and_keeps_crawlers_out_of_private_pages(client) -> None:
    response = client.get("/robots.txt")
    assert response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "User-agent: *"
    for path in ("/admin", "/account", "/search"):
        assert f"Disallow: {path}" in lines
    assert f"Sitemap: {BASE}/sitemap.xml" in lines


def test_tag_feed_lists_the_tags_articles_and_listing_pages_advertise_their_feeds(
        client, database) -> None:
    from tests.article_rows import ArticleRows

    rows = ArticleRows(database)
    nato = rows.tag("nato", "NATO")
    world = rows.section("world", "World")
    rows.article("Summit opens", tags=[nato], section=world)
    rows.article("Unrelated", section=world)

    feed = client.get("/tag/nato/feed.xml")
    assert feed.status_code == 200 and feed.mimetype == "application/rss+xml"
    assert b"Summit opens" in feed.data and b"Unrelated" not in feed.data
    assert client.get("/tag/nobody/feed.xml").status_code == 404
    for page, feed_path in (("/", "/feed.xml"), ("/section/world", "/section/world/feed.xml"),
                            ("/tag/nato", "/tag/nato/feed.xml")):
        html = client.get(page).get_data(as_text=True)
        assert 'type="application/rss+xml"' in html and f'href="{feed_path}"' in html
        assert f'<a class="rss-link" href="{feed_path}">' in html
