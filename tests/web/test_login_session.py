"""A signed-in session names the user and a random per-user secret."""

from __future__ import annotations

from flask_login import current_user

from models import users
from models.db import session_scope
from models.users import User


def test_replacing_the_session_secret_signs_old_sessions_out(app, client, make_user, login_as,
                                                             database) -> None:
    user = make_user()
    login_as(user)
    with client:
        client.get("/healthz")
        assert current_user.is_authenticated and current_user.email == user.email
    with session_scope(database) as session:
        users.end_every_session(session.get(User, user.id))
    with client:
        client.get("/healthz")
        assert not current_user.is_authenticated


def test_every_user_has_a_secret_of_its_own(make_user) -> None:
    first, second = make_user("a@example.test"), make_user("b@example.test")
    assert first.get_id().split(":", 1)[1] != second.get_id().split(":", 1)[1]


def test_a_guessed_or_malformed_session_id_names_nobody(make_user, database) -> None:
    user = make_user()
    with session_scope(database) as session:
        for forged in (f"{user.id}:1", f"{user.id}:", f"{user.id}", "x:y", "",
                       f"{2**70}:{user.get_id().split(':', 1)[1]}", "١:abc"):
            assert users.by_session_id(session, forged) is None
        assert users.by_session_id(session, user.get_id()) is not None
