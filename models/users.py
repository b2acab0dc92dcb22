"""Users: readers and admins."""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime

from sqlalchemy import String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import NEVER_REUSE_IDS, Base, utcnow

EMAIL_MAX = 320   # characters of an address as stored (normalise_email), RFC 5321's limit


def new_session_secret() -> str:
    """A random per-user value every session and remember-me cookie carries (get_id)."""
    return secrets.token_urlsafe(24)


class User(Base):
    __tablename__ = "users"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so the unique constraint is case-insensitive in practice.
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(80), default="")
    is_admin: Mapped[bool] = mapped_column(default=False)
    is_suspended: Mapped[bool] = mapped_column(default=False)
    email_verified_at: Mapped[datetime | None]
    # Replaced on logout, password change and suspension: every signed session naming the
    # old value stops working. Random, so no other account (a later one reusing an id
    # included) ever shares it.
    session_secret: Mapped[str] = mapped_column(String(64), default=new_session_secret)
    terms_version: Mapped[str | None] = mapped_column(String(40))
    terms_accepted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    # The four members Flask-Login asks of a user, without importing Flask here.
    # The id carries the session secret, so replacing it signs every old session out.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return not self.is_suspended

    def get_id(self) -> str:
        return f"{self.id}:{self.session_secret}"


MAX_USER_ID = 2**63 - 1


def by_session_id(session: Session, session_id: str) -> User | None:
    """The user a Flask-Login id ("<id>:<session_secret>") still names, or None."""
    user_id, _, secret = session_id.partition(":")
    if not (user_id.isascii() and user_id.isdigit() and secret) or int(user_id) > MAX_USER_ID:
        return None
    user = session.get(User, int(user_id))
    if (user is None or user.is_suspended
            or not hmac.compare_digest(user.session_secret.encode(), secret.encode())):
        return None
    return user


def normalise_email(email: str) -> str:
    return email.strip().lower()


def by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def listing(session: Session, limit: int = 500) -> list[User]:
    return list(session.scalars(select(User).order_by(User.created_at, User.id).limit(limit)))


def count_active_admins(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)
                          .where(User.is_admin, ~User.is_suspended)) or 0


def create(session: Session, *, email: str, password_hash: str, terms_version: str | None,
           is_admin: bool = False, is_verified: bool = False) -> User:
    """A new account; the caller commits (and handles the unique e-mail constraint)."""
    now = utcnow()
    user = User(email=normalise_email(email), password_hash=password_hash, is_admin=is_admin,
                email_verified_at=now if is_verified else None, terms_version=terms_version,
                terms_accepted_at=now if terms_version else None)
    session.add(user)
    session.flush()
    return user


def end_every_session(user: User) -> None:
    """Every signed session and remember-me cookie naming the old secret stops working
    (the caller may then start a fresh one for the current browser)."""
    user.session_secret = new_session_secret()


def replace_password_by_mail(user: User, password_hash: str) -> None:
    """The owner of the account's mailbox chose a new password through a link mailed
    there: the address is proven, and every session and remember-me cookie signed in
    before ends (whoever knew the old password keeps no way in)."""
    user.password_hash = password_hash
    mark_verified(user)
    end_every_session(user)


def mark_verified(user: User) -> None:
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()


def change_email(user: User, new_email: str) -> None:
    """The new address was proven by its confirmation link, so it counts as verified."""
    user.email = normalise_email(new_email)
    user.email_verified_at = utcnow()



def first_admin_email(session: Session) -> str | None:
    """Where operator mail goes when no address is configured (the contact form)."""
    return session.scalar(select(User.email).where(User.is_admin).order_by(User.id).limit(1))
