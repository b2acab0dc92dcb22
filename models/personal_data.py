"""A reader's personal data across aggregates: the export behind "download my data" and
the erasure behind "delete my account" (GDPR Art. 15, 17 and 20).

Rows are serialised column by column from their mapped classes, so a column added to
playlists or comments later is exported without touching this module.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, inspect, select, update
from sqlalchemy.orm import Session

from models import comments
from models.comments import Comment, CommentReport
from models.consent import ConsentRecord
from models.playlists import Playlist
from models.users import User

# Secrets and internals that are not "data about the reader" and must never leave.
PRIVATE_USER_COLUMNS = frozenset({"password_hash", "session_secret"})


def export(session: Session, user: User) -> dict[str, Any]:
    profile = _row(user, skip=PRIVATE_USER_COLUMNS)
    profile["is_verified"] = user.is_verified
    return {
        "profile": profile,
        "consent_records": [_row(record) for record in session.scalars(
            select(ConsentRecord).where(ConsentRecord.user_id == user.id)
            .order_by(ConsentRecord.created_at))],
        "playlists": [_playlist(playlist) for playlist in session.scalars(
            select(Playlist).where(Playlist.user_id == user.id).order_by(Playlist.id))],
        "comments": [_row(comment) for comment in session.scalars(
            select(Comment).where(Comment.user_id == user.id).order_by(Comment.created_at))],
        "comment_reports": [_row(report) for report in session.scalars(
            select(CommentReport).where(CommentReport.user_id == user.id)
            .order_by(CommentReport.created_at))],
    }


def erase(session: Session, user: User) -> None:
    """Delete the account and everything it wrote. Consent records stay as the operator's
    proof of what was asked and answered, but no longer name anyone."""
    session.execute(delete(CommentReport).where(CommentReport.user_id == user.id))
    own_comments = select(Comment.id).where(Comment.user_id == user.id)
    session.execute(delete(CommentReport).where(CommentReport.comment_id.in_(own_comments)))
    for comment in session.scalars(select(Comment).where(Comment.user_id == user.id)):
        comments.delete_comment(session, comment)   # each leaves its article's count
    for playlist in session.scalars(select(Playlist).where(Playlist.user_id == user.id)):
        session.delete(playlist)   # the ORM cascade removes its items on every backend
    session.execute(update(ConsentRecord).where(ConsentRecord.user_id == user.id)
                    .values(user_id=None))
    session.delete(user)
    session.flush()


def _playlist(playlist: Playlist) -> dict[str, Any]:
    row = _row(playlist)
    row["items"] = []
    for item in playlist.items:
        entry = _row(item)
        article = getattr(item, "article", None)
        if article is not None:
            entry["article"] = {"id": article.id, "title": getattr(article, "title", None),
                                "url": getattr(article, "url", None)}
        row["items"].append(entry)
    return row


def _row(obj: object, *, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    mapper = inspect(type(obj))
    return {column.key: _plain(getattr(obj, column.key))
            for column in mapper.column_attrs if column.key not in skip}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
