"""Input from URLs and forms reaches the database only in shapes it can hold: a NUL
character (which PostgreSQL refuses in any text parameter) is a 400, never a 500."""

from __future__ import annotations

import pytest

from tests.article_rows import ArticleRows
from tests.web.auth import fixtures
from tests.web.auth.fixtures import csrf_token_of

make_account = fixtures.make_account   # the accounts area's fixture, used here too


@pytest.fixture
def rows(database) -> ArticleRows:  # type: ignore[no-untyped-def]
    return ArticleRows(database)


@pytest.mark.parametrize("path", [
    "/tag/a%00b", "/section/a%00b", "/section/a%00/feed.xml", "/tag/a%00/feed.xml",
    "/p/a%00b", "/discussion?a=%00"])
def test_a_nul_in_the_url_is_a_bad_request(client, database, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 400
    assert "Bad request" in response.get_data(as_text=True)


def test_search_reads_a_nul_as_a_space(client, rows) -> None:
    rows.article("Harbour news")
    page = client.get("/search?q=harbour%00news")
    assert page.status_code == 200
    assert page.get_data(as_text=True).count('search-result"') == 1
    live = client.get("/search/live?q=harb%00")
    assert live.status_code == 200 and live.get_json()["total"] == 1


def test_the_api_names_the_parameter_that_holds_a_nul(client, database) -> None:
    response = client.get("/api/v1/articles?q=a%00b")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_parameter"


@pytest.mark.parametrize("path", ["/login", "/password/forgot", "/register"])
def test_a_nul_in_a_form_field_is_a_bad_request(client, make_account, path: str) -> None:
    make_account("reader@example.test")
    token = csrf_token_of(client.get(path).get_data(as_text=True))
    response = client.post(path, data={
        "csrf_token": token, "email": "reader\x00@example.test",
        "password": "correct horse battery staple"})
    assert response.status_code == 400


def test_text_without_nul_still_reaches_the_views(client, database) -> None:
    assert client.get("/search?q=a%01b").status_code == 200
    assert client.get("/api/v1/articles?q=news").status_code == 200


# -- ids beyond what an id column holds (a 32-bit INTEGER on PostgreSQL) --------------------

TOO_BIG = 2**31   # PostgreSQL: "integer out of range", a 500, if it ever reached a query


@pytest.mark.parametrize("path", [
    f"/discussion/{TOO_BIG}", f"/source/{TOO_BIG}", f"/article/{TOO_BIG}/share/x",
    f"/article/{TOO_BIG}", f"/story/{TOO_BIG}", f"/api/v1/articles/{TOO_BIG}",
    f"/sitemap-{2**63}.xml"])
def test_an_id_no_row_can_have_is_not_found(client, database, path: str) -> None:
    assert client.get(path).status_code == 404


def test_a_signed_in_reader_posting_such_an_id_gets_a_4xx(client, make_account) -> None:
    make_account("reader@example.test")
    token = csrf_token_of(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"csrf_token": token, "email": "reader@example.test",
                                "password": "correct horse battery staple"})
    token = csrf_token_of(client.get("/playlists").get_data(as_text=True))
    for fields in ({"article_id": str(TOO_BIG)}, {"article_id": "1", "playlist_id": str(TOO_BIG)},
                   {"article_id": "99999999999999999999"}):
        assert client.post("/playlists/save", data=fields | {"csrf_token": token}
                           ).status_code == 400, fields
    assert client.post(f"/comments/{TOO_BIG}/edit", data={"csrf_token": token,
                                                          "body": "x"}).status_code == 404
    assert client.get("/account").status_code == 200    # still signed in, nothing broke
