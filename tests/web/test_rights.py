"""Republishing rights (DESIGN: stories and rights): what each of headline, excerpt and
full lets readers see on the article page, in RSS out, in the JSON API and in search."""

from __future__ import annotations

import feedparser
import pytest

from models.db import Database
from models.permalinks import article_path
from tests.article_rows import ArticleRows

SUMMARY = "Engineers restored the tidal barrier overnight after the storm surge."
BODY = "<p>The whole story of the tidal barrier, paragraph after paragraph.</p>"


@pytest.fixture
def rows(database: Database) -> ArticleRows:
    return ArticleRows(database)


def _article(rows: ArticleRows, rights: str):  # type: ignore[no-untyped-def]
    source = rows.source("Harbour Gazette", rights=rights)
    return rows.article("Tidal barrier restored", source=source, summary=SUMMARY,
                        content_html=BODY, url="https://gazette.example/barrier")


@pytest.mark.parametrize(("rights", "shows_summary", "shows_body"), [
    ("headline", False, False), ("excerpt", True, False), ("full", True, True)])
def test_article_page_shows_what_the_rights_allow_and_always_links_the_original(
        client, rows, rights: str, shows_summary: bool, shows_body: bool) -> None:
    article = _article(rows, rights)
    page = client.get(article_path(article)).get_data(as_text=True)
    assert ("Engineers restored the tidal barrier" in page) is shows_summary
    assert ("paragraph after paragraph" in page) is shows_body
    # The publisher is named under the headline, with a link to the original there and
    # again after the text, whatever the rights.
    assert "Harbour Gazette" in page
    assert page.count('href="https://gazette.example/barrier"') >= 2
    assert "Read at gazette.example" in page


def test_only_a_full_source_points_canonical_at_the_original(client, rows, settings) -> None:
    full = _article(rows, "full")
    excerpt = _article(rows, "excerpt")
    full_page = client.get(article_path(full)).get_data(as_text=True)
    excerpt_page = client.get(article_path(excerpt)).get_data(as_text=True)
    assert '<link rel="canonical" href="https://gazette.example/barrier">' in full_page
    assert f'<link rel="canonical" href="{settings.base_url}{article_path(excerpt)}">' \
        in excerpt_page


@pytest.mark.parametrize(("rights", "summary", "content_html"), [
    ("headline", "", None), ("excerpt", SUMMARY, None), ("full", SUMMARY, BODY)])
def test_api_gives_the_body_only_for_full_and_no_summary_for_headline(
        client, rows, rights: str, summary: str, content_html: str | None) -> None:
    article = _article(rows, rights)
    one = client.get(f"/api/v1/articles/{article.id}").get_json()
    assert (one["summary"], one["content_html"]) == (summary, content_html)
    listed = client.get("/api/v1/articles").get_json()["items"]
    assert [item["summary"] for item in listed] == [summary]


def test_rss_out_describes_headline_only_articles_with_nothing(client, rows) -> None:
    _article(rows, "headline")
    _article(rows, "excerpt")
    feed = feedparser.parse(client.get("/feed.xml").data)
    assert sorted(entry.get("summary", "") for entry in feed.entries) == ["", SUMMARY]


def test_search_snippets_never_show_more_than_the_rights_allow(client, rows) -> None:
    for rights in ("headline", "excerpt", "full"):
        source = rows.source(f"{rights} paper", rights=rights)
        rows.article(f"Lighthouse {rights}", source=source, summary="A short summary.",
                     content_html=f"<p>The keeper of the lighthouse said {rights}words.</p>")
    page = client.get("/search?q=keeper").get_data(as_text=True)
    assert "fullwords" in page
    assert "excerptwords" not in page and "headlinewords" not in page
    page = client.get("/search?q=summary").get_data(as_text=True)
    assert page.count("A short <mark>summary</mark>.") == 2      # excerpt and full only


def test_an_ingested_excerpt_is_at_most_about_300_characters_cut_at_a_word(
        client, database: Database, redis_client, httpserver) -> None:
    from tests.workers.ingest.conftest import TEST_LIMITS
    from tests.workers.ingest.test_pipeline import add_source, poll
    from workers.ingest.steps.fetch import FeedClient, FetchOptions, user_agent

    http = FeedClient(FetchOptions(limits=TEST_LIMITS, allow_private_networks=True,
                                   user_agent=user_agent("http://hopper.test")))

    words = " ".join(f"word{n}" for n in range(200))
    httpserver.expect_request("/feed").respond_with_data(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Long</title>'
        f"<link>http://long.test/</link><item><guid>l1</guid><title>Long one</title>"
        f"<link>http://long.test/1</link><description>{words}</description></item>"
        f"</channel></rss>", content_type="application/rss+xml")
    try:
        poll(add_source(database, httpserver.url_for("/feed")), database, redis_client, http)
    finally:
        http.close()
    [item] = client.get("/api/v1/articles").get_json()["items"]
    excerpt = item["summary"]
    assert 250 <= len(excerpt) <= 301 and excerpt.endswith("…")
    assert words.startswith(excerpt.removesuffix("…")) and excerpt[-2] != " "
    assert words[len(excerpt) - 1] == " "            # cut where a word ends


@pytest.mark.parametrize(("rights", "shows_summary"), [
    ("headline", False), ("excerpt", True), ("full", True)])
def test_story_cards_on_section_pages_obey_the_rights(
        client, rows, rights: str, shows_summary: bool) -> None:
    section = rows.section("harbour")
    source = rows.source("Harbour Gazette", rights=rights)
    rows.article("Tidal barrier restored", source=source, section=section, summary=SUMMARY,
                 content_html=BODY, url="https://gazette.example/barrier")
    response = client.get("/section/harbour")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Tidal barrier restored" in page
    assert ("Engineers restored the tidal barrier" in page) is shows_summary
