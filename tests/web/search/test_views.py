"""/search works as a plain form (filters, pages, highlights, any input safe) and
/search/live answers the header's live search with at most five results."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from models.permalinks import article_path


def test_results_page_lists_highlighted_matches_linking_to_permalinks(client, rows) -> None:
    article = rows.article("Volcano erupts", summary="The volcano woke up at dawn.")
    rows.article("Quiet day")
    page = client.get("/search?q=volcano")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'href="{article_path(article)}"' in body
    assert "<mark>Volcano</mark> erupts" in body
    assert "The <mark>volcano</mark> woke up" in body
    assert "Quiet day" not in body
    assert "1 result" in body
    assert '<meta name="robots" content="noindex">' in body


def test_highlighting_escapes_every_piece_before_marking_the_matches(client, rows) -> None:
    rows.article("<b>Whale</b> & dolphins", summary="A <i>whale</i> was seen offshore.")
    body = client.get("/search?q=whale").get_data(as_text=True)
    assert "&lt;b&gt;<mark>Whale</mark>&lt;/b&gt; &amp; dolphins" in body
    assert "A &lt;i&gt;<mark>whale</mark>&lt;/i&gt; was seen offshore." in body


def test_highlight_macro_escapes_markup_in_matches_too(app) -> None:
    from flask import render_template_string

    with app.app_context():
        html = render_template_string('{% from "search/_highlight.html" import highlighted %}'
                                      "{{ highlighted(segments) }}",
                                      segments=[("<a>", False), ("<b>", True)])
    assert html == "&lt;a&gt;<mark>&lt;b&gt;</mark>"


def test_results_page_without_query_invites_a_search(client) -> None:
    body = client.get("/search").get_data(as_text=True)
    assert "Type a few words" in body


def test_no_match_says_no_results(client, rows) -> None:
    rows.article("Volcano erupts")
    assert "No results. Try fewer" in client.get("/search?q=zzyzx").get_data(as_text=True)


def test_filters_narrow_results_by_section_source_and_dates(client, rows) -> None:
    sport = rows.section("sport", "Sport")
    wire = rows.source("Wire")
    rows.article("Final whistle in sport", section=sport,
                 published_at=datetime(2026, 3, 10, 12, tzinfo=UTC))
    rows.article("Final whistle on the wire", source=wire,
                 published_at=datetime(2026, 3, 1, 12, tzinfo=UTC))

    def titles(query: str) -> list[str]:
        body = client.get(f"/search?q=whistle&{query}").get_data(as_text=True)
        return [title for title in ("in sport", "on the wire") if title in body]

    assert titles("section=sport") == ["in sport"]
    assert titles(f"source={wire.id}") == ["on the wire"]
    assert titles("from=2026-03-05") == ["in sport"]
    assert titles("to=2026-03-01") == ["on the wire"]        # "to" includes its whole day
    assert titles("from=nonsense&to=&source=abc&page=x") == ["in sport", "on the wire"]
    assert titles("source=99999999999999999999&page=99999999999999999999") == [
        "in sport", "on the wire"]


def test_pagination_links_keep_query_and_filters(client, rows) -> None:
    for number in range(12):
        rows.article(f"Harbour news {number}", age=timedelta(minutes=number))
    first = client.get("/search?q=harbour&from=2000-01-01").get_data(as_text=True)
    assert "page 1 of 2" in first
    assert 'href="/search?q=harbour&amp;from=2000-01-01&amp;page=2"' in first
    second = client.get("/search?q=harbour&from=2000-01-01&page=2").get_data(as_text=True)
    assert "</mark> news 10<" in second and "</mark> news 11<" in second
    assert "</mark> news 9<" not in second
    assert 'rel="prev"' in second


def test_a_page_beyond_ten_thousand_results_is_not_found(client, rows) -> None:
    """Read leniently otherwise, but a page no listing goes to is a 404 before any query."""
    rows.article("Harbour reopens")
    assert client.get("/search?q=harbour&page=1000").status_code == 200   # 10 a page
    assert client.get("/search?q=harbour&page=1001").status_code == 404



@pytest.mark.parametrize("hostile", [
    '"', "*", "OR", "NEAR(", "'; DROP TABLE articles; --", "<script>alert(1)</script>",
    "🦊", "x" * 1000, "", "%", "\x00",
])
def test_any_input_is_answered_and_escaped(client, rows, hostile) -> None:
    rows.article("Script alert")
    response = client.get("/search", query_string={"q": hostile, "section": hostile})
    live = client.get("/search/live", query_string={"q": hostile})
    assert response.status_code == 200
    assert live.status_code == 200
    assert "<script>alert" not in response.get_data(as_text=True)
    assert client.get("/search?q=script").get_data(as_text=True).count("search-result\"") == 1


def test_search_terms_are_escaped_in_the_page(client) -> None:
    body = client.get('/search?q="><img src=x onerror=alert(1)>').get_data(as_text=True)
    assert "<img src=x" not in body
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in body


def test_live_search_returns_five_prefix_matches_as_text_pieces(client, rows) -> None:
    for number in range(8):
        rows.article(f"Elections <b>{number}</b>", age=timedelta(hours=number))
    data = client.get("/search/live?q=electi").get_json()
    assert data["total"] == 8
    assert len(data["results"]) == 5
    first = data["results"][0]
    assert first["title"] == [["Elections", True], [" <b>0</b>", False]]
    assert first["url"].startswith("/article/")
    assert first["source"] == "Example News"
    assert data["all_url"] == "/search?q=electi"


def test_live_search_with_nothing_found_is_empty(client, rows) -> None:
    rows.article("Elections")
    data = client.get("/search/live?q=qqqq").get_json()
    assert (data["total"], data["results"]) == (0, [])


def test_header_search_box_is_a_plain_get_form_with_an_external_script(client) -> None:
    body = client.get("/").get_data(as_text=True)
    assert 'action="/search" method="get"' in body
    assert 'role="combobox"' in body
    assert re.search(r'<script src="/static/js/search\.js\?v=[0-9a-f]{12}" defer></script>', body)
    assert " onclick=" not in body and " oninput=" not in body
    assert client.get("/static/js/search.js").status_code == 200
    assert client.get("/static/css/search.css").status_code == 200


def test_live_search_suggests_tags_sections_and_sources_by_name(client, rows) -> None:
    nato = rows.tag("nato", "NATO")
    rows.section("national", "National")
    rows.article("Summit opens", tags=[nato])

    data = client.get("/search/live?q=nat").get_json()
    assert {"kind": "Tag", "name": "NATO", "url": "/tag/nato"} in data["topics"]
    assert {"kind": "Section", "name": "National", "url": "/section/national"} in data["topics"]


def test_results_page_says_did_you_mean_and_links_the_topic(client, rows) -> None:
    nato = rows.tag("nato", "NATO")
    rows.article("Summit opens in Vilnius", tags=[nato])

    page = client.get("/search?q=NATO").get_data(as_text=True)
    assert 'href="/tag/nato"' in page and "Summit opens in Vilnius" in page
    typo = client.get("/search?q=summmit").get_data(as_text=True)
    assert "Did you mean" in typo and 'href="/search?q=summit"' in typo
    assert "<mark>Summit</mark> opens in Vilnius" in typo


def test_searching_too_fast_meets_429_as_a_page_and_as_json(settings, database) -> None:
    from web import create_app

    app = create_app({"TESTING": True, "SEARCH_RATE_LIMIT": "2 per minute"}, settings=settings)
    client = app.test_client()
    assert [client.get("/search?q=news").status_code for _ in range(2)] == [200, 200]
    page = client.get("/search?q=news")
    assert page.status_code == 429 and page.mimetype == "text/html"
    assert "Too many requests" in page.get_data(as_text=True)
    assert int(page.headers["Retry-After"]) > 0

    assert [client.get("/search/live?q=ne").status_code for _ in range(2)] == [200, 200]
    live = client.get("/search/live?q=ne")
    assert live.status_code == 429
    assert live.get_json()["error"]["code"] == "too_many_requests"
    assert int(live.headers["Retry-After"]) > 0
    app.extensions["hopper_database"].dispose()


def test_search_is_limited_per_client_by_default_as_the_api_is(client, database) -> None:
    for path in ("/search?q=news", "/search/live?q=ne", "/api/v1/sections"):
        assert client.get(path).headers["X-RateLimit-Limit"] == "300"


def test_results_page_lists_what_live_search_offered_for_an_unfinished_word(
        client, rows) -> None:
    rows.article("Harbour bridge reopens")
    rows.article("Quiet day")
    live = client.get("/search/live?q=harb").get_json()
    assert live["total"] == 1
    body = client.get(live["all_url"]).get_data(as_text=True)
    assert "<mark>Harbour</mark> bridge reopens" in body
    assert "Quiet day" not in body


def test_live_search_offers_each_story_once_however_many_outlets_covered_it(
        client, rows, database) -> None:
    from models.base import utcnow
    from models.db import session_scope
    from models.stories import Story

    with session_scope(database) as session:
        story = Story(title="Harbour bridge reopens", first_published_at=utcnow(),
                      last_published_at=utcnow(), article_count=6, source_count=6)
        session.add(story)
        session.flush()
        story_id = story.id
    for number in range(6):
        rows.article("Harbour bridge reopens after repairs", story_id=story_id,
                     source=rows.source(f"Outlet {number}"), age=timedelta(minutes=number))
    other = rows.article("Harbour ferry fares rise", age=timedelta(hours=2))
    data = client.get("/search/live?q=harbo").get_json()
    assert data["total"] == 7
    titles = sorted("".join(piece for piece, _ in result["title"])
                    for result in data["results"])
    assert titles == ["Harbour bridge reopens after repairs", other.title]
