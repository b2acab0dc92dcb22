"""Security headers on every response, and the cookie flags."""

from __future__ import annotations

import dataclasses
import re

import pytest

from tests.web.auth import fixtures
from tests.web.auth.fixtures import PASSWORD, csrf_token_of

make_account = fixtures.make_account   # the accounts area's fixture, used here too

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}


def assert_secure_headers(response) -> None:  # type: ignore[no-untyped-def]
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, name
    assert "camera=()" in response.headers["Permissions-Policy"]
    policy = dict(part.strip().split(" ", 1)
                  for part in response.headers["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert policy["default-src"] == "'self'"
    assert policy["frame-src"] == "https://www.youtube-nocookie.com https://player.vimeo.com"


@pytest.mark.parametrize("path", ["/", "/login", "/register", "/password/forgot", "/consent",
                                  "/no-such-page", "/static/css/forms.css", "/healthz",
                                  "/static/js/consent.js", "/account"])
def test_every_get_carries_the_security_headers(client, database, path: str) -> None:
    assert_secure_headers(client.get(path))


def test_cached_pages_api_errors_and_crashes_carry_the_headers_and_no_traceback(
        app, client, database) -> None:
    @app.get("/crash-for-the-test")
    def crash() -> str:
        raise RuntimeError("internal detail no visitor may read")

    app.testing = False   # a crash is answered as in production, not raised into the test
    assert client.get("/about").headers["X-Cache"] == "miss"
    answers = [client.get("/about"), client.get("/api/v1/articles?page=x"),
               client.get("/api/v1/no-such-list"), client.get("/crash-for-the-test"),
               client.get("/feed.xml"), client.get("/sitemap.xml")]
    assert [answer.status_code for answer in answers] == [200, 400, 404, 500, 200, 200]
    assert answers[0].headers["X-Cache"] == "hit"
    for answer in answers:
        assert_secure_headers(answer)
        assert b"internal detail" not in answer.data and b"Traceback" not in answer.data


def test_posts_and_refusals_carry_the_security_headers(client, database) -> None:
    assert_secure_headers(client.post("/login", data={}))          # 400, no CSRF token
    assert_secure_headers(client.post("/consent", data={}))        # 400, not from this site
    assert_secure_headers(client.delete("/login"))                 # 405


def inline_scripts(html: str) -> list[str]:
    """Script tags that would run inline code (data blocks such as JSON-LD never run)."""
    return [tag for tag in re.findall(r"<script\b[^>]*>", html, flags=re.IGNORECASE)
            if " src=" not in tag and "application/ld+json" not in tag]


def test_no_page_has_inline_scripts_or_style_attributes(client, database) -> None:
    for path in ("/", "/login", "/register", "/password/forgot", "/consent"):
        html = client.get(path).get_data(as_text=True)
        assert inline_scripts(html) == []
        assert not re.search(r"\s(style|on[a-z]+)=", html)


def test_session_cookie_is_httponly_and_lax_over_http(client, make_account) -> None:
    make_account("ada@example.test")
    token = csrf_token_of(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": "ada@example.test", "password": PASSWORD,
                                           "remember": "y", "csrf_token": token})
    assert response.status_code == 302                  # signed in
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    for name in ("session", "remember_token"):
        assert "HttpOnly" in cookies[name] and "SameSite=Lax" in cookies[name]
        assert "Secure" not in cookies[name]
    assert "Strict-Transport-Security" not in response.headers


def test_cookies_are_secure_and_hsts_sent_when_served_over_https(settings, database,
                                                                make_account) -> None:
    from web import create_app

    app = create_app({"TESTING": True},
                     settings=dataclasses.replace(settings, base_url="https://news.example"))
    make_account("ada@example.test")
    client = app.test_client()
    token = csrf_token_of(client.get("/login", base_url="https://news.example")
                          .get_data(as_text=True))
    response = client.post("/login", base_url="https://news.example",
                           headers={"Referer": "https://news.example/login"},
                           data={"email": "ada@example.test", "password": PASSWORD,
                                 "remember": "y", "csrf_token": token})
    assert response.status_code == 302
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    for name in ("session", "remember_token", "hopper_device"):
        assert "Secure" in cookies[name] and "HttpOnly" in cookies[name]
        assert "SameSite=Lax" in cookies[name]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    consent = client.post("/consent", base_url="https://news.example",
                          headers={"Origin": "https://news.example"},
                          data={"action": "reject_all"})
    assert "Secure" in consent.headers["Set-Cookie"]
    app.extensions["hopper_database"].dispose()


def test_anonymous_pages_set_no_cookie(client, database) -> None:
    for path, status in (("/", 200), ("/consent", 200), ("/no-such-page", 404)):
        response = client.get(path)
        assert response.status_code == status, path
        assert "Set-Cookie" not in response.headers
