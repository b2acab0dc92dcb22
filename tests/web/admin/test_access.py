"""Every admin route and action is for admins only: anonymous visitors are sent to sign
in (or get 401), signed-in readers get 403. The routes are enumerated from the app, so
a route added later is covered without editing this file."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.usefixtures("no_csrf")


def _admin_urls(app) -> list[tuple[str, set[str]]]:  # type: ignore[no-untyped-def]
    """Each admin URL (arguments filled with 1) and the methods its rules accept."""
    urls: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/admin"):
            url = re.sub(r"<(?:int:)?[^>]+>", "1", rule.rule)
            urls.setdefault(url, set()).update(set(rule.methods or ()) - {"HEAD", "OPTIONS"})
    return sorted(urls.items())


def test_there_are_admin_routes_to_check(app) -> None:
    urls = dict(_admin_urls(app))
    assert "/admin/" in urls and "/admin/sources/1/poll" in urls and len(urls) >= 15


def test_anonymous_visitors_are_refused_on_every_admin_url(app, client) -> None:
    for url, methods in _admin_urls(app):
        for method in ("GET", "POST"):
            response = client.open(url, method=method)
            if method not in methods:
                assert response.status_code == 405, (method, url)
                continue
            assert response.status_code in (302, 401), (method, url)
            if response.status_code == 302:
                assert "/login" in response.headers["Location"], (method, url)


def test_readers_are_forbidden_every_admin_url_and_action(app, client, make_user,
                                                          login_as) -> None:
    login_as(make_user())
    for url, methods in _admin_urls(app):
        for method in ("GET", "POST"):
            expected = 403 if method in methods else 405
            assert client.open(url, method=method).status_code == expected, (method, url)


def test_admin_pages_open_for_admins(client, admin) -> None:
    for url in ("/admin/", "/admin/sources", "/admin/sections", "/admin/users",
                "/admin/comments", "/admin/consent"):
        assert client.get(url).status_code == 200, url


def test_admin_actions_need_a_csrf_token(app, client, admin, make_user) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    reader = make_user("reader2@example.test")
    assert client.post(f"/admin/users/{reader.id}/suspend").status_code == 400
    page = client.get("/admin/users").get_data(as_text=True)
    assert "suspended" not in page.split("reader2@example.test", 1)[1].split("</tr>", 1)[0]


def test_admin_pages_carry_no_inline_script_or_style(client, admin, make_article) -> None:
    make_article()
    for url in ("/admin/", "/admin/sources", "/admin/sections", "/admin/users",
                "/admin/comments", "/admin/consent"):
        page = client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), url
        assert not re.search(r"\s(on[a-z]+|style)=", page), url
