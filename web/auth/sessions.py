"""Signing in and out.

Flask keeps the session in a signed cookie, so "rotating the session id" means starting
from an empty session on sign-in (nothing an attacker planted survives), and revoking
means replacing the user's random session secret, which every session cookie and
remember-me cookie carries in its user id (models.users.User.get_id).
"""

from __future__ import annotations

from flask import session
from flask_login import login_user, logout_user
from sqlalchemy.orm import Session

from models import users
from models.base import utcnow
from models.users import User
from web.auth.passwords import hash_password, needs_rehash, verify_nobody, verify_password


def authenticate(db: Session, email: str, password: str) -> User | None:
    """The user these credentials prove, else None — in about the same time either way."""
    user = users.by_email(db, email)
    if user is None:
        verify_nobody(password)
        return None
    if not verify_password(user.password_hash, password) or not user.is_active:
        return None
    if needs_rehash(user.password_hash):   # parameters were raised since it was stored
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def start_session(user: User, *, remember: bool = False) -> None:
    session.clear()
    login_user(user, remember=remember, fresh=True)


def end_session() -> None:
    session.clear()
    logout_user()   # after clear: it leaves the note that deletes the remember-me cookie
