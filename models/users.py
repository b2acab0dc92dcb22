"""Users: readers and admins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, utcnow


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so the unique constraint is case-insensitive in practice.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(80), default="")
    is_admin: Mapped[bool] = mapped_column(default=False)
    is_suspended: Mapped[bool] = mapped_column(default=False)
    email_verified_at: Mapped[datetime | None]
    # Bumped on logout-everywhere and password change: older signed sessions stop working.
    session_version: Mapped[int] = mapped_column(default=1)
    terms_version: Mapped[str | None] = mapped_column(String(40))
    terms_accepted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    # The four members Flask-Login asks of a user, without importing Flask here.
    # The id carries the session version, so bumping it signs every old session out.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return not self.is_suspended

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


def by_session_id(session: Session, session_id: str) -> User | None:
    """The user a Flask-Login id ("<id>:<session_version>") still names, or None."""
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = session.get(User, int(user_id))
    if user is None or user.session_version != int(version) or user.is_suspended:
        return None
    return user


def normalise_email(email: str) -> str:
    return email.strip().lower()


def by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def count_admins(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User).where(User.is_admin)) or 0


def first_admin_email(session: Session) -> str | None:
    """Where operator mail goes when no address is configured (the contact form)."""
    return session.scalar(select(User.email).where(User.is_admin).order_by(User.id).limit(1))
