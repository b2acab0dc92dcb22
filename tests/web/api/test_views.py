"""JSON API v1: article shapes, filters, search, paging, sections and sources, and JSON
errors with the right status for every way a request can go wrong."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from models.permalinks import article_path
from web import create_app

BASE = "http://127.0.0.1:5000"


def test_article_list_item_has_the_documented_shape(client, rows) -> None:
    science = rows.section("science", "Science")
    source = rows.source("Wire", section=science)
    article = rows.article(
        "Comet returns", source=source, section=science,
        tags=[rows.tag("space"), rows.tag("astronomy")], summary="Look up tonight.",
        image_url="https://img.example/c.jpg", url="https://wire.example/comet",
        published_at=datetime(2026, 11, 24, 21, 10, 33, 123456, tzinfo=UTC),
        updated_at=datetime(2026, 11, 24, 22, 0, tzinfo=UTC),
        content_html="<p>Body</p>")
    body = client.get("/api/v1/articles").get_json()
    assert body == {"page": 1, "per_page": 20, "total": 1, "items": [{
        "id": article.id,
        "title": "Comet returns",
        "url": "https://wire.example/comet",
        "permalink": BASE + article_path(article),
        "source": {"id": source.id, "name": "Wire"},
        "section": "science",
        "tags": ["astronomy", "space"],
        "published_at": "2026-11-24T21:10:33Z",
        "updated_at": "2026-11-24T22:00:00Z",
        "summary": "Look up tonight.",
        "image_url": "https://img.example/c.jpg",
        "story_id": article.story_id,
    }]}
    assert article.story_id is not None     # every article belongs to a story


def test_one_article_adds_its_content(client, rows) -> None:
    article = rows.article("Comet", content_html="<p>Body</p>")
    body = client.get(f"/api/v1/articles/{article.id}").get_json()
    assert body["content_html"] == "<p>Body</p>"
    assert body["id"] == article.id
    assert body["updated_at"] is None


def test_articles_filter_by_section_tag_source_and_since(client, rows) -> None:
    sport = rows.section("sport")
    wire = rows.source("Wire")
    rows.article("In sport", section=sport, age=timedelta(days=3))
    rows.article("Tagged", tags=[rows.tag("rugby")], age=timedelta(days=2))
    rows.article("From wire", source=wire, published_at=datetime(2026, 1, 1, tzinfo=UTC))

    def titles(query: str) -> list[str]:
        return [item["title"] for item in client.get(f"/api/v1/articles?{query}")
                .get_json()["items"]]

    assert titles("section=sport") == ["In sport"]
    assert titles("tag=rugby") == ["Tagged"]
    assert titles(f"source={wire.id}") == ["From wire"]
    since = (datetime.now(UTC) - timedelta(days=2, hours=12)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert titles(f"since={since}") == ["Tagged"]
    assert titles("since=2025-12-31") == ["Tagged", "In sport", "From wire"]


def test_q_searches_by_relevance(client, rows) -> None:
    rows.article("Other", summary="mentions eclipse once", age=timedelta(hours=1))
    rows.article("Eclipse today", age=timedelta(days=2))
    body = client.get("/api/v1/articles?q=eclipse").get_json()
    assert [item["title"] for item in body["items"]] == ["Eclipse today", "Other"]
    assert body["total"] == 2


def test_pages_are_newest_first_and_count_the_total(client, rows) -> None:
    for number in range(5):
        rows.article(f"Story {number}", age=timedelta(hours=number))
    body = client.get("/api/v1/articles?page=2&per_page=2").get_json()
    assert [item["title"] for item in body["items"]] == ["Story 2", "Story 3"]
    assert (body["page"], body["per_page"], body["total"]) == (2, 2, 5)
    assert client.get("/api/v1/articles?page=9&per_page=2").get_json()["items"] == []


def test_statement_count_does_not_grow_with_per_page(app, client, rows) -> None:
    source = rows.source()
    section = rows.section("world")
    tags = [rows.tag("a"), rows.tag("b")]
    for number in range(30):
        rows.article(f"Story {number} harbour", source=rows.source() if number % 2 else source,
                     section=section, tags=tags)
    engine = app.extensions["hopper_database"].engine
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        counts = []
        for query in ("per_page=1", "per_page=30", "q=harbour&per_page=1",
                      "q=harbour&per_page=30"):
            statements.clear()
            assert client.get(f"/api/v1/articles?{query}").status_code == 200
            counts.append(len(statements))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert counts[0] == counts[1]
    assert counts[2] == counts[3]


def test_sections_and_sources_show_public_fields_only(client, rows) -> None:
    news = rows.section("news", "News", position=1)
    rows.section("politics", "Politics", parent=news)
    rows.source("Wire", url="https://wire.example/feed", section=news,
                etag='"secret-etag"', last_error="boom at 10.0.0.1")
    sections = client.get("/api/v1/sections").get_json()["items"]
    assert {"id": news.id, "slug": "news", "name": "News", "parent": None,
            "position": 1} in sections
    assert any(item["slug"] == "politics" and item["parent"] == "news" for item in sections)
    response = client.get("/api/v1/sources")
    sources = response.get_json()["items"]
    assert sources == [{"id": sources[0]["id"], "name": "Wire",
                        "url": "https://wire.example/feed", "site_url": "https://news.example/",
                        "section": "news", "status": "ok"}]
    assert b"secret-etag" not in response.data and b"boom" not in response.data


@pytest.mark.parametrize("query", [
    "page=abc", "page=0", "page=-1", "per_page=101", "per_page=0", "per_page=1.5",
    "since=yesterday", "since=2026-13-01", "source=x", "page=%EF%BC%91", "section=%00",
    "since=9999-12-31T23:59:59-14:00", "source=99999999999999999999", "q=a%00b",
    "section=nosuch", "tag=nosuch", "page=200000",
])
def test_bad_parameters_answer_400_in_json(client, query) -> None:
    response = client.get(f"/api/v1/articles?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_parameter"
    assert response.get_json()["error"]["message"].startswith("parameter '")


@pytest.mark.parametrize("query", ["section=nosuch", "page=200000"])
def test_articles_and_stories_refuse_the_same_bad_input_alike(client, query) -> None:
    answers = [client.get(f"/api/v1/{listing}?{query}") for listing in ("articles", "stories")]
    assert [answer.status_code for answer in answers] == [400, 400]
    assert answers[0].get_json() == answers[1].get_json()


@pytest.mark.parametrize("hostile", [
    '"', "*", "OR", "NEAR(", "'; DROP TABLE articles; --", "<script>alert(1)</script>",
    "🦊", "x" * 1000,
])
def test_any_search_text_is_answered_in_json(client, rows, hostile) -> None:
    rows.article("Script alert")
    response = client.get("/api/v1/articles", query_string={"q": hostile})
    assert response.status_code == 200
    assert response.get_json()["total"] == len(response.get_json()["items"])


def test_unknown_article_and_route_answer_404_in_json(client) -> None:
    for path in ("/api/v1/articles/999", "/api/v1/nothing", "/api/v2/articles",
                 "/api/v1/articles/abc"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.mimetype == "application/json"
        assert response.get_json()["error"]["code"] == "not_found"


def test_wrong_method_answers_405_in_json_with_allow(client) -> None:
    response = client.post("/api/v1/articles")
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]


def test_crash_answers_500_in_json(settings, database) -> None:
    app = create_app({"TESTING": True, "PROPAGATE_EXCEPTIONS": False}, settings=settings)

    @app.before_request
    def explode() -> None:
        from flask import request

        if request.args.get("explode"):
            raise RuntimeError("boom")

    response = app.test_client().get("/api/v1/articles?explode=1")
    assert response.status_code == 500
    assert response.get_json() == {"error": {"code": "internal_server_error",
                                             "message": "the server failed to answer"}}
    app.extensions["hopper_database"].dispose()


def test_too_many_requests_answer_429_in_json(settings, database, redis_client) -> None:
    app = create_app({"TESTING": True, "API_RATE_LIMIT": "2 per minute"}, settings=settings)
    client = app.test_client()
    assert [client.get("/api/v1/sections").status_code for _ in range(2)] == [200, 200]
    response = client.get("/api/v1/sections")
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "too_many_requests"
    assert int(response.headers["Retry-After"]) > 0
    app.extensions["hopper_database"].dispose()


def test_pages_outside_the_api_keep_their_html_errors(client) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_api_errors_stay_json_when_the_site_renders_html_error_pages(
        settings, database, redis_client) -> None:
    app = create_app({"TESTING": True, "PROPAGATE_EXCEPTIONS": False,
                      "API_RATE_LIMIT": "3 per minute"}, settings=settings)
    for code in (400, 404, 405, 429, 500):
        app.register_error_handler(code, lambda error: ("<h1>HTML page</h1>", 418))
    client = app.test_client()
    for path, status in [("/api/v1/articles?page=x", 400), ("/api/v1/articles/999", 404),
                         ("/api/v1/nothing", 404), *[("/api/v1/sections", 200)] * 3,
                         ("/api/v1/sections", 429)]:
        response = client.get(path)
        assert response.status_code == status, path
        assert response.mimetype == "application/json", path
    assert client.post("/api/v2/x").status_code == 404
    app.extensions["hopper_database"].dispose()


@pytest.mark.parametrize("listing", ["articles", "stories", "articles?q=harbour"])
@pytest.mark.parametrize(("page", "per_page"), [(101, 100), (501, 20), (10_001, 1)])
def test_a_page_beyond_ten_thousand_items_is_a_bad_parameter(client, rows, listing, page,
                                                              per_page) -> None:
    """An OFFSET reads every row it skips: no request may ask for more than that many."""
    separator = "&" if "?" in listing else "?"
    deepest = client.get(f"/api/v1/{listing}{separator}page={page - 1}&per_page={per_page}")
    beyond = client.get(f"/api/v1/{listing}{separator}page={page}&per_page={per_page}")
    assert deepest.status_code == 200 and deepest.get_json()["items"] == []
    assert beyond.status_code == 400
    assert beyond.get_json()["error"] == {
        "code": "bad_parameter",
        "message": f"parameter 'page' must be an integer from 1 to {page - 1} "
                   f"(per_page {per_page}: at most 10000 items are listed)"}
