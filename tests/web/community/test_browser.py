"""In a real browser: save an article to a playlist, comment, and prove that markup in
comments and playlist names stays inert text."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from models.comments import Comment
from models.playlists import Playlist

pytestmark = pytest.mark.browser

HOSTILE = '<script>alert("s")</script><img src=x onerror=alert("i")>'


def test_a_reader_saves_an_article_into_a_playlist_with_the_save_button(
        live_server, signed_in_page, make_user, make_article, database) -> None:
    reader = make_user()
    article = make_article("Glaciers are moving")
    page = signed_in_page(reader)
    page.goto(f"{live_server}/discussion/{article.id}")
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_role("button", name="Save “Glaciers are moving” to a playlist").click()
    expect(page.locator(".save-status")).to_have_text("Saved to Saved.")
    assert page.evaluate("window.stillTheSamePage") is True     # saved without a reload

    page.goto(f"{live_server}/playlists")
    page.get_by_role("link", name="Saved").click()
    # expect() waits for the playlist page; is_visible() alone raced the navigation.
    expect(page.get_by_role("link", name="Glaciers are moving")).to_be_visible()
    with database.reader() as session:
        assert session.scalar(select(Playlist.name)) == "Saved"


def test_a_verified_reader_posts_a_comment_in_markdown(
        live_server, signed_in_page, make_user, make_article) -> None:
    article = make_article("Rain")
    page = signed_in_page(make_user())
    page.goto(f"{live_server}/discussion/{article.id}")
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_label("Your comment").fill("Quite **wet** today")
    page.get_by_role("button", name="Post comment").click()
    comment = page.locator(".comment-body").first
    assert comment.inner_text().strip() == "Quite wet today"
    assert comment.locator("strong").inner_text() == "wet"
    assert "Discussion (1)" in page.inner_text("main")
    assert page.evaluate("window.stillTheSamePage") is True     # posted without a reload


def test_without_javascript_saving_and_commenting_still_work_by_plain_posts(
        live_server, browser, app, make_user, make_article) -> None:
    reader = make_user()
    article = make_article("Snow")
    context = browser.new_context(java_script_enabled=False)
    cookie = app.session_interface.get_signing_serializer(app).dumps(
        {"_user_id": reader.get_id(), "_fresh": True})
    context.add_cookies([{"name": app.config["SESSION_COOKIE_NAME"], "value": cookie,
                          "url": live_server}])
    page = context.new_page()
    page.goto(f"{live_server}/discussion/{article.id}")
    page.get_by_role("button", name="Save “Snow” to a playlist").click()
    page.wait_for_load_state()
    assert "Saved to Saved." in page.inner_text("main")
    page.get_by_label("Your comment").fill("Cold")
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_load_state()
    assert page.locator(".comment-body").first.inner_text().strip() == "Cold"
    context.close()


def test_markup_in_comments_and_playlist_names_stays_inert_text(
        live_server, signed_in_page, make_user, make_article, database) -> None:
    article = make_article("Hostile input")
    page = signed_in_page(make_user())

    page.goto(f"{live_server}/discussion/{article.id}")
    page.get_by_label("Your comment").fill(HOSTILE)
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_selector(".comment-body")
    assert page.locator(".comment-body").inner_text().strip() == HOSTILE
    assert page.locator(".comment-body img, .comment-body script").count() == 0

    page.goto(f"{live_server}/playlists")
    page.get_by_label("Name").fill(HOSTILE)
    page.get_by_role("button", name="Create playlist").click()
    assert page.locator("h1.playlist-name").inner_text() == HOSTILE
    page.goto(f"{live_server}/discussion/{article.id}")   # the save chooser lists it too
    assert page.locator("select[name=playlist_id] option").first.inner_text() == HOSTILE
    page.goto(f"{live_server}/playlists")
    assert page.get_by_role("link", name=HOSTILE).is_visible()

    page.wait_for_timeout(300)    # give any injected handler the chance to fire
    assert page.dialogs == []
    with database.reader() as session:
        assert session.scalar(select(Comment.body)) == HOSTILE
