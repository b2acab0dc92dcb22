"""A signed-in session names the user and its session version."""

from __future__ import annotations

from flask_login import current_user

from models.db import session_scope
from models.users import User


def test_bumping_the_session_version_signs_old_sessions_out(app, client, make_user, login_as,
                                                           database) -> None:
    user = make_user()
    login_as(user)
    with client:
        client.get("/healthz")
        assert current_user.is_authenticated and current_user.email == user.email
    with session_scope(database) as session:
        session.get(User, user.id).session_version += 1
    with client:
        client.get("/healthz")
        assert not current_user.is_authenticated
