"""The page cache: anonymous pages come from Redis without rendering or SQL, until ingest
bumps the content version; signed-in readers and cookie-setting responses never share."""

from __future__ import annotations

from hopper import content_version
from tests.web.site.conftest import consent_cookie


def test_second_anonymous_request_is_a_hit_that_runs_no_sql(client, make, app,
                                                             statements) -> None:
    make.articles(3, make.source(), section=make.section("News"))
    first = client.get("/section/news")
    assert first.headers["X-Cache"] == "miss"

    executed = statements(app)
    second = client.get("/section/news")

    assert second.headers["X-Cache"] == "hit"
    assert second.get_data() == first.get_data()
    assert second.content_type == "text/html; charset=utf-8"
    assert executed == []


def test_query_strings_are_separate_pages(client, make) -> None:
    make.articles(30, make.source())
    assert client.get("/").headers["X-Cache"] == "miss"
    assert client.get("/?page=2").headers["X-Cache"] == "miss"
    assert client.get("/?page=2").headers["X-Cache"] == "hit"


def test_unknown_query_parameters_are_dropped_by_a_redirect_to_the_cached_page(
        client, make, redis_client) -> None:
    """Such queries are never stored (each would be a key of its own), so they used to
    render page 1, ranking the whole front page, for every request."""
    make.article(make.source())
    assert client.get("/").headers["X-Cache"] == "miss"
    for query in ("utm_source=0", "utm_source=1", "x=1", "fbclid=a&utm_medium=b", "=x"):
        response = client.get(f"/?{query}")
        assert response.status_code == 301, query
        assert response.headers["Location"] == "/", query
        assert client.get(response.headers["Location"]).headers["X-Cache"] == "hit", query
    assert len(list(redis_client.scan_iter("hopper:page:*"))) == 1


def test_every_listing_keeps_only_its_page_number(client, make) -> None:
    news = make.section("News")
    source = make.source("Wire", section=news)
    make.articles(45, source, section=news, tags=["harbour"], is_video=True,
                  video_embed_url="https://www.youtube-nocookie.com/embed/abc123")
    for path in ("/", "/section/news", "/tag/harbour", f"/source/{source.id}", "/video"):
        assert client.get(f"{path}?page=2").headers["X-Cache"] == "miss", path
        response = client.head(f"{path}?utm_source=x&page=2&ref=y")
        assert response.status_code == 301, path
        assert response.headers["Location"] == f"{path}?page=2", path
        assert client.get(response.headers["Location"]).headers["X-Cache"] == "hit", path
        assert client.get(f"{path}?x=1&page=1").headers["Location"] == path, path


def test_the_redirect_stays_on_this_site_whatever_the_host_or_query(client, make) -> None:
    make.article(make.source())
    for query in ("%2F%2Fevil.example=1", "next=https://evil.example/", "x=%0d%0aLocation:"):
        response = client.get(f"/?{query}", headers={"Host": "evil.example"})
        assert response.status_code == 301, query
        assert response.headers["Location"] == "/", query


def test_pages_that_read_their_query_keep_it(client, make) -> None:
    make.article(make.source(), title="Harbour bridge")
    assert client.get("/search?q=harbour&utm_source=x").status_code == 200


def test_other_spellings_of_a_page_number_redirect_to_the_one_stored(
        client, make, redis_client) -> None:
    """Each spelling of the same page would be a key of its own (a script could fill
    Redis, the broker and the rate limits too, with copies of one page), and unstored it
    would be rendered for every request: it is sent to the page's own URL instead."""
    make.articles(25, make.source())
    for query in ("page=1&page=1", "page=1&page=1&page=1", "page=01", "pag%65=1",
                  "page=1&", "page=%31", "page=1&page=2", "page=", "page=+1"):
        response = client.get(f"/?{query}")
        assert (response.status_code, response.headers["Location"]) == (301, "/"), query
    assert client.get("/?page=02").headers["Location"] == "/?page=2"
    assert client.get("/?page=x&utm_source=y").status_code == 404   # no such page anyway
    assert list(redis_client.scan_iter("hopper:page:*")) == []
    assert client.get("/?page=1").headers["X-Cache"] == "miss"
    assert client.get("/?page=1").headers["X-Cache"] == "hit"


def test_only_the_sites_own_host_uses_the_cache(client, database, redis_client) -> None:
    for n in range(3):   # a Host header per request must not store a page each
        response = client.get("/about", headers={"Host": f"junk{n}.invalid"})
        assert response.status_code == 200 and "X-Cache" not in response.headers
    assert list(redis_client.scan_iter("hopper:page:*")) == []
    # HOPPER_BASE_URL is http://127.0.0.1:5000 here: a loopback instance also answers to
    # localhost (the test client's Host), with its port or none.
    for host in ("127.0.0.1:5000", "localhost:5000", "localhost"):
        assert client.get("/about", headers={"Host": host}).headers["X-Cache"] == "miss"
        assert client.get("/about", headers={"Host": host}).headers["X-Cache"] == "hit"
    assert "X-Cache" not in client.get("/about", headers={"Host": "127.0.0.1:5001"}).headers


def test_a_public_site_caches_its_own_host_only(settings, database, redis_client) -> None:
    from dataclasses import replace

    from web import create_app

    app = create_app({"TESTING": True},
                     settings=replace(settings, base_url="https://news.example"))
    client = app.test_client()
    for host in ("news.example", "NEWS.example:443"):
        assert client.get("/about", headers={"Host": host}).headers["X-Cache"] == "miss"
    for host in ("localhost", "127.0.0.1:5000", "news.example:8443", "evil.example"):
        assert "X-Cache" not in client.get("/about", headers={"Host": host}).headers
    app.extensions["hopper_database"].dispose()


def test_bumping_the_content_version_shows_new_articles_at_once(
        client, make, redis_client) -> None:
    source = make.source()
    make.article(source, title="First story")
    client.get("/")
    make.article(source, title="Brand new story")
    stale = client.get("/")
    assert stale.headers["X-Cache"] == "hit" and b"Brand new story" not in stale.get_data()

    content_version.bump(redis_client)   # what ingest does after committing

    fresh = client.get("/")
    assert fresh.headers["X-Cache"] == "miss" and b"Brand new story" in fresh.get_data()


def test_cached_pages_expire_after_their_ttl(client, make, redis_client) -> None:
    make.article(make.source())
    client.get("/")
    ttls = [redis_client.ttl(key) for key in redis_client.scan_iter("hopper:page:*")]
    assert ttls and all(0 < ttl <= 60 for ttl in ttls)


def test_signed_in_readers_are_never_served_or_stored_in_the_cache(
        client, make, make_user, login_as, redis_client) -> None:
    make.article(make.source())
    client.get("/")                      # anonymous: stored
    login_as(make_user())

    for _ in range(2):
        response = client.get("/")
        assert response.status_code == 200
        assert "X-Cache" not in response.headers
    assert len(list(redis_client.scan_iter("hopper:page:*"))) == 1


def test_pages_that_set_cookies_or_carry_a_csrf_token_are_not_stored(
        client, database, redis_client) -> None:
    response = client.get("/contact")    # a form: its CSRF token belongs to one visitor
    assert response.status_code == 200
    assert "X-Cache" not in response.headers
    assert list(redis_client.scan_iter("hopper:page:*")) == []


def test_not_found_pages_are_not_cached(client, database, redis_client) -> None:
    assert client.get("/section/missing").status_code == 404
    assert client.get("/section/missing").headers.get("X-Cache") == "miss"
    assert list(redis_client.scan_iter("hopper:page:*")) == []


def test_cache_can_be_switched_off(make, settings, database) -> None:
    from web import create_app

    app = create_app({"TESTING": True, "PAGE_CACHE_ENABLED": False}, settings=settings)
    client = app.test_client()
    make.article(make.source())
    for _ in range(2):
        response = client.get("/")
        assert response.status_code == 200
        assert "X-Cache" not in response.headers
    app.extensions["hopper_database"].dispose()


def test_readers_with_different_consent_answers_get_separate_pages(
        client, make, settings) -> None:
    make.article(make.source(), title="Clip", is_video=True,
                 video_embed_url="https://www.youtube-nocookie.com/embed/abc123")
    assert client.get("/video").headers["X-Cache"] == "miss"          # not answered yet
    consent_cookie(client, settings, media=False)
    assert client.get("/video").headers["X-Cache"] == "miss"          # answered: no banner
    consent_cookie(client, settings, media=True)
    with_media = client.get("/video")
    assert with_media.headers["X-Cache"] == "miss" and b"<iframe" in with_media.get_data()
    assert client.get("/video").headers["X-Cache"] == "hit"
