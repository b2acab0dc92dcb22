"""Admin › Users: make admin, suspend (signed out at once), unsuspend; the last admin
can be neither demoted nor suspended."""

from __future__ import annotations

import pytest
from flask_login import current_user

from models.users import User

pytestmark = pytest.mark.usefixtures("no_csrf")


def _user(database, user_id: int) -> User:
    with database.reader() as session:
        return session.get(User, user_id)


def test_make_a_reader_admin_and_back(client, admin, make_user, database) -> None:
    reader = make_user()
    client.post(f"/admin/users/{reader.id}/promote")
    assert _user(database, reader.id).is_admin
    client.post(f"/admin/users/{reader.id}/demote")
    assert not _user(database, reader.id).is_admin


def test_a_suspended_reader_is_signed_out_on_their_next_request(
        app, client, admin, make_user, database) -> None:
    reader = make_user()
    reader_client = app.test_client()
    with reader_client.session_transaction() as flask_session:
        flask_session["_user_id"] = reader.get_id()
    with reader_client:
        reader_client.get("/healthz")
        assert current_user.is_authenticated
    client.post(f"/admin/users/{reader.id}/suspend")
    assert _user(database, reader.id).is_suspended
    with reader_client:
        reader_client.get("/healthz")
        assert not current_user.is_authenticated
    client.post(f"/admin/users/{reader.id}/unsuspend")
    assert not _user(database, reader.id).is_suspended


def test_the_last_admin_cannot_demote_or_suspend_themselves(client, admin, database) -> None:
    for action in ("demote", "suspend"):
        response = client.post(f"/admin/users/{admin.id}/{action}", follow_redirects=True)
        assert "last admin" in response.get_data(as_text=True)
    assert _user(database, admin.id).is_admin and not _user(database, admin.id).is_suspended


def test_with_a_second_admin_one_may_step_down(client, admin, make_user, database) -> None:
    make_user("second@example.test", is_admin=True)
    client.post(f"/admin/users/{admin.id}/demote")
    assert not _user(database, admin.id).is_admin
