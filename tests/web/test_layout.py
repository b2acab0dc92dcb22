"""What every page's frame shows: flashed messages once and accessibly, the user menu's
links, and the header's way to the discussion and video pages."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest


def _flash(client, message: str, category: str = "success") -> None:  # type: ignore[no-untyped-def]
    with client.session_transaction() as flask_session:
        flask_session["_flashes"] = [(category, message)]


def test_a_flashed_message_shows_once_as_a_status(client) -> None:
    _flash(client, "Saved to your playlist.")
    html = client.get("/about").get_data(as_text=True)
    assert html.count("Saved to your playlist.") == 1
    assert re.search(r'role="status"[^>]*>Saved to your playlist\.<', html)
    assert "Saved to your playlist." not in client.get("/about").get_data(as_text=True)


def test_errors_are_flashed_as_alerts(client) -> None:
    _flash(client, "Could not send.", "error")
    assert re.search(r'role="alert"[^>]*>Could not send\.<',
                     client.get("/about").get_data(as_text=True))


def test_a_page_that_showed_a_flash_is_not_stored_in_the_page_cache(client, app) -> None:
    _flash(client, "Only for this visitor.")
    response = client.get("/about")
    assert "Only for this visitor." in response.get_data(as_text=True)
    assert response.headers["X-Cache"] == "miss"

    stranger = app.test_client()
    first = stranger.get("/about")
    assert first.headers["X-Cache"] == "miss"
    assert "Only for this visitor." not in first.get_data(as_text=True)
    assert stranger.get("/about").headers["X-Cache"] == "hit"


def test_community_pages_show_a_flash_once(client, make_user, login_as) -> None:
    login_as(make_user())
    _flash(client, "Playlist renamed.")
    assert client.get("/playlists").get_data(as_text=True).count("Playlist renamed.") == 1


def test_admin_pages_show_a_flash_once(client, make_user, login_as) -> None:
    login_as(make_user("admin@example.test", is_admin=True))
    _flash(client, "Source added.")
    assert client.get("/admin/").get_data(as_text=True).count("Source added.") == 1


def _user_menu(html: str) -> str:
    match = re.search(r'<nav class="user-menu".*?</nav>', html, re.S)
    assert match is not None
    return match.group(0)


def test_visitors_are_offered_sign_in_and_register_only(client) -> None:
    menu = _user_menu(client.get("/about").get_data(as_text=True))
    assert 'href="/login"' in menu and 'href="/register"' in menu
    assert "/playlists" not in menu and "/admin" not in menu


def test_readers_menu_links_to_account_and_playlists_but_not_admin(client, make_user,
                                                                   login_as) -> None:
    login_as(make_user())
    menu = _user_menu(client.get("/about").get_data(as_text=True))
    assert 'href="/account"' in menu
    assert '<a href="/playlists">Playlists</a>' in menu
    assert "/admin" not in menu
    assert "Sign out</button>" in menu


def test_admins_menu_links_to_admin(client, make_user, login_as) -> None:
    login_as(make_user("admin@example.test", is_admin=True))
    menu = _user_menu(client.get("/about").get_data(as_text=True))
    assert '<a href="/admin/">Admin</a>' in menu


def test_header_links_to_discussion_and_video(client) -> None:
    html = client.get("/").get_data(as_text=True)
    header = html.split("</header>")[0]
    assert '<a href="/discussion"' in header
    assert '<a href="/video"' in header
    assert re.search(r'<a href="/discussion" aria-current="page">',
                     client.get("/discussion").get_data(as_text=True))


@pytest.fixture
def mounted_client(settings, database):  # type: ignore[no-untyped-def]
    """A client of the site mounted under /news (HOPPER_SCRIPT_NAME=/news)."""
    from web import create_app

    app = create_app({"TESTING": True}, settings=replace(settings, script_name="/news"))
    yield app.test_client()
    app.extensions["hopper_database"].dispose()


@pytest.mark.parametrize("path", ["/", "/about", "/privacy", "/register", "/consent",
                                  "/login"])
def test_every_link_keeps_the_path_prefix_the_site_is_mounted_under(mounted_client,
                                                                    path) -> None:
    """HOPPER_SCRIPT_NAME mounts the site under a prefix: a link written as "/privacy"
    would leave it."""
    html = mounted_client.get("/news" + path).get_data(as_text=True)
    local = re.findall(r'(?:href|src|action)="(/[^"/]?[^"]*)"', html)
    assert local and [url for url in local if not url.startswith("/news/")] == []


def test_the_footer_names_the_privacy_policy(client) -> None:
    assert ">Privacy Policy</a></li>" in client.get("/about").get_data(as_text=True)


def test_the_header_search_takes_its_direction_from_what_is_typed(client) -> None:
    assert re.search(r'<input id="search-box-q"[^>]* dir="auto"',
                     client.get("/about").get_data(as_text=True))


def _description_of_new_password(html: str) -> str:
    """The text the page links to its new-password field with aria-describedby."""
    field = re.search(r'<input[^>]*autocomplete="new-password"[^>]*>', html)
    assert field is not None
    described = re.search(r'aria-describedby="([^"]+)"', field.group(0))
    assert described is not None, field.group(0)
    return " ".join(re.sub(r"<[^>]+>", "", found.group(1)) for name in described.group(1).split()
                    if (found := re.search(f'id="{name}">(.*?)</', html)))


def test_the_password_rule_is_read_out_with_its_field(client, make_user, login_as) -> None:
    rule = "At least 10 characters; common passwords are refused."
    assert rule in _description_of_new_password(client.get("/register").get_data(as_text=True))
    login_as(make_user())
    assert rule in _description_of_new_password(client.get("/account").get_data(as_text=True))
