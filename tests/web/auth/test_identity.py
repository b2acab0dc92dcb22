"""A deleted account's kept cookies must never open another account.

The attack from the security review, over real HTTP with real cookie jars: sign in with
"remember me", keep the cookies, delete the account, let an operator create an admin
(`hopper users create --admin`), then replay the kept cookies. On SQLite without
AUTOINCREMENT the new admin got the deleted id, and a session id of "<id>:1" matched.
"""

from __future__ import annotations

import copy
import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from models.db import session_scope
from models.users import User, by_email
from tests.web.auth.fixtures import PASSWORD, csrf_token_of


class Browser:
    """urllib with a cookie jar of its own; redirects are reported, not followed."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    def __init__(self, base_url: str, jar: http.cookiejar.CookieJar | None = None) -> None:
        self.base_url = base_url
        self.jar = jar if jar is not None else http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), self._NoRedirect)

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self._opener.open(self.base_url + path, data=body, timeout=10) as response:
                return response.status, response.read().decode(), ""
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), error.headers.get("Location", "")

    def sign_in(self, email: str, password: str = PASSWORD) -> None:
        _, page, _ = self.request("/login")
        status, _, location = self.request("/login", {
            "email": email, "password": password, "remember": "y",
            "csrf_token": csrf_token_of(page)})
        assert status == 302 and "/login" not in location, "sign-in failed"

    def copy(self) -> Browser:
        """Another browser holding copies of every cookie this one has now."""
        jar = http.cookiejar.CookieJar()
        for cookie in self.jar:
            jar.set_cookie(copy.copy(cookie))
        return Browser(self.base_url, jar)

    def forget_session_cookie(self) -> None:
        for cookie in list(self.jar):
            if cookie.name == "session":
                self.jar.clear(cookie.domain, cookie.path, cookie.name)


def _delete_account(browser: Browser) -> None:
    _, page, _ = browser.request("/account")
    status, answer, _ = browser.request("/account/delete", {
        "delete-current_password": PASSWORD, "delete-confirm": "y",
        "csrf_token": csrf_token_of(page)})
    assert status == 200 and "deleted" in answer


def _operator_creates_admin(app: Any, email: str) -> None:
    result = app.test_cli_runner().invoke(
        args=["users", "create", email, "--admin", "--password-stdin"],
        input="another long passphrase here\n")
    assert result.exit_code == 0, result.output


def test_kept_cookies_of_a_deleted_account_open_no_later_account(
        live_server, make_account, database) -> None:
    make_account("mallory@example.test")
    mallory = Browser(live_server.url)
    mallory.sign_in("mallory@example.test")
    kept = mallory.copy()
    kept_remember_only = mallory.copy()
    kept_remember_only.forget_session_cookie()
    with session_scope(database) as session:
        deleted_id = by_email(session, "mallory@example.test").id   # type: ignore[union-attr]

    _delete_account(mallory)
    _operator_creates_admin(live_server.app, "boss@example.test")

    with session_scope(database) as session:
        boss = by_email(session, "boss@example.test")
        assert boss is not None and boss.is_admin
        assert boss.id != deleted_id, "a deleted user's id was handed to the next account"
    for replay in (kept, kept_remember_only):
        status, page, location = replay.request("/account")
        assert status == 302 and "/login" in location, (status, location)
        assert "boss@example.test" not in page
        status, _, _ = replay.request("/admin/users")
        assert status in (302, 403, 404)


def test_ids_are_never_reused_after_the_newest_user_is_deleted(make_user, database) -> None:
    make_user("first@example.test")
    newest = make_user("newest@example.test")
    with session_scope(database) as session:
        session.delete(session.get(User, newest.id))
    later = make_user("later@example.test")
    assert later.id > newest.id


def test_suspension_ends_every_session_for_good(live_server, make_account, make_user,
                                                database) -> None:
    """Unsuspending lets the user sign in again; it does not revive the old cookies."""
    from web.auth.passwords import hash_password

    make_user("admin@example.test", is_admin=True, password_hash=hash_password(PASSWORD))
    make_account("reader@example.test")
    reader = Browser(live_server.url)
    reader.sign_in("reader@example.test")
    assert reader.request("/account")[0] == 200
    admin = Browser(live_server.url)
    admin.sign_in("admin@example.test")
    with session_scope(database) as session:
        reader_id = by_email(session, "reader@example.test").id   # type: ignore[union-attr]

    for action in ("suspend", "unsuspend"):
        _, page, _ = admin.request("/admin/users")
        status, _, _ = admin.request(f"/admin/users/{reader_id}/{action}",
                                     {"csrf_token": csrf_token_of(page)})
        assert status == 302

    status, _, location = reader.request("/account")
    assert status == 302 and "/login" in location
    reader.sign_in("reader@example.test")     # the account itself works again
    assert reader.request("/account")[0] == 200
