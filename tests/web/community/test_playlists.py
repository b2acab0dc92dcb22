"""Playlists: save, create, rename, reorder, remove, delete, privacy and sharing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from models import playlists
from models.playlists import Playlist, PlaylistItem

pytestmark = pytest.mark.usefixtures("no_csrf")


def _playlists(database, user_id: int) -> list[Playlist]:
    with database.reader() as session:
        return list(session.scalars(select(Playlist).where(Playlist.user_id == user_id)))


def _item_titles(database, playlist_id: int) -> list[str]:
    with database.reader() as session:
        rows = session.scalars(select(PlaylistItem).where(PlaylistItem.playlist_id == playlist_id)
                               .order_by(PlaylistItem.position))
        return [row.article.title for row in rows]


def _create(client, name: str) -> int:
    response = client.post("/playlists", data={"name": name})
    assert response.status_code == 302
    return int(re.search(r"/playlists/(\d+)$", response.headers["Location"]).group(1))


def test_saving_without_choosing_puts_the_article_in_a_default_saved_playlist_once(
        client, make_user, login_as, make_article, database) -> None:
    reader = make_user()
    login_as(reader)
    article = make_article("Tides")
    for message in ("Saved to Saved.", "Already in Saved."):
        response = client.post("/playlists/save",
                               data={"article_id": article.id, "next": "/discussion"})
        assert response.status_code == 302 and response.headers["Location"] == "/discussion"
        with client.session_transaction() as flask_session:
            assert flask_session["_flashes"][-1][1] == message
            flask_session.pop("_flashes")
    [saved] = _playlists(database, reader.id)
    assert saved.name == "Saved" and not saved.is_public
    assert _item_titles(database, saved.id) == ["Tides"]


def test_save_into_a_chosen_playlist_and_never_into_someone_elses(
        client, make_user, login_as, make_article, database) -> None:
    other = make_user("other@example.test")
    login_as(other)
    theirs = _create(client, "Theirs")
    reader = make_user()
    login_as(reader)
    mine = _create(client, "Mine")
    article = make_article("Rivers")
    assert client.post("/playlists/save", data={"article_id": article.id,
                                                "playlist_id": mine}).status_code == 302
    assert _item_titles(database, mine) == ["Rivers"]
    assert client.post("/playlists/save", data={"article_id": article.id,
                                                "playlist_id": theirs}).status_code == 404
    assert _item_titles(database, theirs) == []


def test_save_redirect_never_leaves_the_site(client, make_user, login_as, make_article) -> None:
    login_as(make_user())
    article = make_article()
    for target in ("//evil.example", "/\\evil.example", "https://evil.example/", "javascript:x"):
        response = client.post("/playlists/save", data={"article_id": article.id,
                                                        "next": target})
        assert response.headers["Location"].startswith("/playlists/"), target


def test_reorder_rename_remove_and_delete(client, make_user, login_as, make_article,
                                          database) -> None:
    login_as(make_user())
    playlist_id = _create(client, "Reading")
    first, second, third = (make_article(title) for title in ("One", "Two", "Three"))
    for article in (first, second, third):
        client.post("/playlists/save", data={"article_id": article.id,
                                             "playlist_id": playlist_id})
    assert _item_titles(database, playlist_id) == ["One", "Two", "Three"]

    client.post(f"/playlists/{playlist_id}/items/{third.id}/up")
    assert _item_titles(database, playlist_id) == ["One", "Three", "Two"]
    client.post(f"/playlists/{playlist_id}/items/{first.id}/down")
    assert _item_titles(database, playlist_id) == ["Three", "One", "Two"]
    client.post(f"/playlists/{playlist_id}/items/{third.id}/up")   # already first: stays
    assert _item_titles(database, playlist_id) == ["Three", "One", "Two"]

    client.post(f"/playlists/{playlist_id}/items/{first.id}/remove")
    assert _item_titles(database, playlist_id) == ["Three", "Two"]

    client.post(f"/playlists/{playlist_id}/rename", data={"name": "  Weekend   reads "})
    page = client.get(f"/playlists/{playlist_id}").get_data(as_text=True)
    assert "Weekend reads" in page and page.index("Three") < page.index("Two")

    assert client.post(f"/playlists/{playlist_id}/delete").status_code == 302
    assert client.get(f"/playlists/{playlist_id}").status_code == 404


def test_names_are_limited_and_escaped(client, make_user, login_as, database) -> None:
    reader = make_user()
    login_as(reader)
    assert client.post("/playlists", data={"name": "x" * 121}).status_code == 400
    playlist_id = _create(client, "<script>alert(1)</script>")
    page = client.get(f"/playlists/{playlist_id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_another_readers_private_playlist_and_its_actions_are_not_found(
        client, make_user, login_as, make_article, database) -> None:
    owner = make_user("owner@example.test")
    login_as(owner)
    playlist_id = _create(client, "Private")
    article = make_article()
    client.post("/playlists/save", data={"article_id": article.id, "playlist_id": playlist_id})

    login_as(make_user("intruder@example.test"))
    assert client.get(f"/playlists/{playlist_id}").status_code == 404
    for action in ("rename", "visibility", "delete", f"items/{article.id}/up",
                   f"items/{article.id}/remove"):
        response = client.post(f"/playlists/{playlist_id}/{action}", data={"name": "Mine now"})
        assert response.status_code == 404, action
    [playlist] = _playlists(database, owner.id)
    assert playlist.name == "Private" and _item_titles(database, playlist_id) != []


def test_public_playlist_is_shared_by_token_and_private_again_hides_it(
        client, make_user, login_as, make_article, database) -> None:
    reader = make_user()
    login_as(reader)
    playlist_id = _create(client, "Best of")
    client.post("/playlists/save", data={"article_id": make_article("Shared story").id,
                                         "playlist_id": playlist_id})
    [playlist] = _playlists(database, reader.id)
    shared_url = f"/p/{playlist.share_token}"
    assert client.get(shared_url).status_code == 404          # private by default

    client.post(f"/playlists/{playlist_id}/visibility", data={"is_public": "y"})
    assert shared_url in client.get(f"/playlists/{playlist_id}").get_data(as_text=True)
    anonymous = client.application.test_client()
    page = anonymous.get(shared_url)
    assert page.status_code == 200 and "Shared story" in page.get_data(as_text=True)
    assert "Move up" not in page.get_data(as_text=True)

    client.post(f"/playlists/{playlist_id}/visibility", data={})
    assert anonymous.get(shared_url).status_code == 404


def test_anonymous_visitors_are_asked_to_sign_in(client, make_article) -> None:
    assert client.get("/playlists").status_code in (302, 401)
    response = client.post("/playlists/save", data={"article_id": make_article().id})
    assert response.status_code in (302, 401)


def test_playlist_forms_refuse_a_post_without_csrf_token(app, client, make_user,
                                                         login_as, database) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    reader = make_user()
    login_as(reader)
    assert client.post("/playlists", data={"name": "No token"}).status_code == 400
    assert _playlists(database, reader.id) == []


def test_an_account_has_a_bounded_number_of_playlists_and_items(
        client, make_user, login_as, make_article, database, monkeypatch) -> None:
    """A script cannot grow the tables (or pin every article against retention) without
    bound: past the caps a reader gets a message, and nothing is written."""
    monkeypatch.setattr(playlists, "MAX_PLAYLISTS", 2)
    monkeypatch.setattr(playlists, "MAX_ITEMS", 2)
    reader = make_user()
    login_as(reader)
    first = _create(client, "First")
    _create(client, "Second")
    refused = client.post("/playlists", data={"name": "Third"})
    assert refused.status_code == 400
    assert "You have 2 playlists, the most one account can have" in refused.get_data(as_text=True)
    assert sorted(p.name for p in _playlists(database, reader.id)) == ["First", "Second"]

    articles = [make_article(f"Story {n}") for n in range(3)]
    for article in articles[:2]:
        client.post("/playlists/save", data={"article_id": article.id, "playlist_id": first})
    with client.session_transaction() as flask_session:
        flask_session.pop("_flashes", None)
    full = client.post("/playlists/save", data={"article_id": articles[2].id,
                                                "playlist_id": first, "next": "/discussion"})
    assert full.status_code == 302 and full.headers["Location"] == "/discussion"
    with client.session_transaction() as flask_session:
        category, message = flask_session["_flashes"][-1]
    assert category == "error" and message.startswith("First holds 2 items")
    assert _item_titles(database, first) == ["Story 0", "Story 1"]
    # Saving what a full playlist holds already is still the usual no-op.
    again = client.post("/playlists/save", data={"article_id": articles[0].id,
                                                 "playlist_id": first})
    assert again.status_code == 302
    with client.session_transaction() as flask_session:
        assert flask_session["_flashes"][-1] == ("message", "Already in First.")
    # The default "Saved" playlist would be a third: refused the same way, not a 500.
    default = client.post("/playlists/save", data={"article_id": articles[2].id})
    assert default.status_code == 302
    assert len(_playlists(database, reader.id)) == 2


def test_playlist_writes_are_rate_limited_per_reader(
        client, make_user, login_as, make_article) -> None:
    login_as(make_user())
    article = make_article()
    statuses = [client.post("/playlists/save", data={"article_id": article.id}).status_code
                for _ in range(31)]
    assert statuses == [302] * 30 + [429]
    refused = client.post("/playlists", data={"name": "More"})
    assert refused.status_code == 429
    assert "changed your playlists many times" in refused.get_data(as_text=True)
    login_as(make_user("neighbour@example.test"))      # the limit is per reader
    assert client.post("/playlists", data={"name": "Mine"}).status_code == 302


def test_changing_a_playlist_spends_the_same_budget_as_saving(
        client, make_user, login_as, make_article, database) -> None:
    """Renaming, reordering, hiding, removing and deleting write rows too: a script
    looping on any of them is stopped like one looping on saves."""
    reader = make_user()
    login_as(reader)
    articles = [make_article(), make_article()]
    for article in articles:
        assert client.post("/playlists/save", data={"article_id": article.id}).status_code == 302
    playlist_id = _playlists(database, reader.id)[0].id
    moves = [client.post(f"/playlists/{playlist_id}/items/{articles[1].id}/up").status_code
             for _ in range(28)]
    assert moves == [302] * 28                       # 30 writes in this minute so far
    for path, data in ((f"/playlists/{playlist_id}/rename", {"name": "Renamed"}),
                       (f"/playlists/{playlist_id}/visibility", {"is_public": "1"}),
                       (f"/playlists/{playlist_id}/items/{articles[0].id}/remove", {}),
                       (f"/playlists/{playlist_id}/delete", {})):
        assert client.post(path, data=data).status_code == 429, path
