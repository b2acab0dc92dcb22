"""Playlists: a reader's named, ordered collections of saved articles and videos.

Every query that changes a playlist takes the owner's id, so an action on someone
else's playlist finds nothing (the web answers 404) instead of relying on each view
to remember the check.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, ForeignKey, Index, String, delete, func, select, update
from sqlalchemy.orm import Mapped, Session, joinedload, mapped_column, relationship

from models.articles import Article
from models.base import NEVER_REUSE_IDS, Base, utcnow
from models.db import dialect_insert

MAX_NAME_LENGTH = 120
DEFAULT_NAME = "Saved"
# One account cannot grow the tables without bound (or keep every article from retention,
# models/retention.py: a saved article is kept): generous for a reader, finite for a script.
MAX_PLAYLISTS = 100
MAX_ITEMS = 1000


class PlaylistFull(ValueError):
    """A reader reached MAX_PLAYLISTS, or a playlist MAX_ITEMS: the message says which."""


class Playlist(Base):
    __tablename__ = "playlists"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    is_public: Mapped[bool] = mapped_column(default=False)
    # Unguessable id for the public, shareable page.
    share_token: Mapped[str] = mapped_column(String(43), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    items: Mapped[list[PlaylistItem]] = relationship(
        back_populates="playlist", order_by="PlaylistItem.position",
        cascade="all, delete-orphan")


class PlaylistItem(Base):
    __tablename__ = "playlist_items"
    __table_args__ = (
        Index("uq_playlist_items_playlist_article", "playlist_id", "article_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    playlist_id: Mapped[int] = mapped_column(ForeignKey("playlists.id", ondelete="CASCADE"))
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    playlist: Mapped[Playlist] = relationship(back_populates="items")
    article: Mapped[Article] = relationship()


@dataclass(frozen=True)
class PlaylistSummary:
    playlist: Playlist
    item_count: int


def clean_name(name: str) -> str:
    """Names are plain text on one line; the template escapes them on output."""
    return " ".join(name.split())[:MAX_NAME_LENGTH]


def new_share_token() -> str:
    return secrets.token_urlsafe(32)   # 43 characters, 256 bits


def create(session: Session, user_id: int, name: str, *, is_public: bool = False) -> Playlist:
    owned_count = session.scalar(select(func.count()).select_from(Playlist)
                                 .where(Playlist.user_id == user_id)) or 0
    if owned_count >= MAX_PLAYLISTS:
        raise PlaylistFull(f"You have {MAX_PLAYLISTS} playlists, the most one account can "
                           "have. Delete one to make another.")
    playlist = Playlist(user_id=user_id, name=clean_name(name) or DEFAULT_NAME,
                        is_public=is_public, share_token=new_share_token())
    session.add(playlist)
    session.flush()
    return playlist


def owned(session: Session, playlist_id: int, user_id: int) -> Playlist | None:
    return session.scalar(select(Playlist).where(Playlist.id == playlist_id,
                                                 Playlist.user_id == user_id))


def public_by_token(session: Session, share_token: str) -> Playlist | None:
    return session.scalar(select(Playlist).where(Playlist.share_token == share_token,
                                                 Playlist.is_public))


def for_user(session: Session, user_id: int) -> list[PlaylistSummary]:
    """The owner's playlists, oldest first, each with its item count (one query)."""
    counts = (select(PlaylistItem.playlist_id, func.count().label("n"))
              .group_by(PlaylistItem.playlist_id).subquery())
    rows = session.execute(
        select(Playlist, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.playlist_id == Playlist.id)
        .where(Playlist.user_id == user_id)
        .order_by(Playlist.created_at, Playlist.id))
    return [PlaylistSummary(playlist, count) for playlist, count in rows]


def default_for_user(session: Session, user_id: int) -> Playlist:
    """The reader's "Saved" playlist, created on first save."""
    found = session.scalar(select(Playlist).where(Playlist.user_id == user_id,
                                                  Playlist.name == DEFAULT_NAME)
                           .order_by(Playlist.id).limit(1))
    return found or create(session, user_id, DEFAULT_NAME)


def items(session: Session, playlist_id: int) -> list[PlaylistItem]:
    return list(session.scalars(
        select(PlaylistItem).where(PlaylistItem.playlist_id == playlist_id)
        .options(joinedload(PlaylistItem.article).joinedload(Article.source))
        .order_by(PlaylistItem.position, PlaylistItem.id)))


def add_article(session: Session, playlist: Playlist, article_id: int) -> bool:
    """Append the article at the end; saving it twice is a no-op. True if added.
    Raises PlaylistFull when the playlist holds MAX_ITEMS already."""
    held = session.scalar(select(func.count()).select_from(PlaylistItem)
                          .where(PlaylistItem.playlist_id == playlist.id)) or 0
    if held >= MAX_ITEMS:
        already = session.scalar(select(PlaylistItem.id).where(
            PlaylistItem.playlist_id == playlist.id, PlaylistItem.article_id == article_id))
        if already is not None:
            return False
        raise PlaylistFull(f"{playlist.name} holds {MAX_ITEMS} items, the most a playlist "
                           "can. Remove some, or save into another playlist.")
    next_position = (select(func.coalesce(func.max(PlaylistItem.position), -1) + 1)
                     .where(PlaylistItem.playlist_id == playlist.id).scalar_subquery())
    statement = dialect_insert(session, PlaylistItem).values(
        playlist_id=playlist.id, article_id=article_id, position=next_position,
        added_at=utcnow()).on_conflict_do_nothing(
        index_elements=[PlaylistItem.playlist_id, PlaylistItem.article_id])
    # RETURNING, not rowcount: rowcount of an INSERT … ON CONFLICT is -1 on psycopg here.
    inserted = session.execute(statement.returning(PlaylistItem.id)).scalar_one_or_none()
    return inserted is not None


def remove_article(session: Session, playlist: Playlist, article_id: int) -> bool:
    result = cast("CursorResult[Any]", session.execute(delete(PlaylistItem).where(
        PlaylistItem.playlist_id == playlist.id, PlaylistItem.article_id == article_id)))
    return bool(result.rowcount)


def move_article(session: Session, playlist: Playlist, article_id: int, offset: int) -> bool:
    """Move one item up (offset < 0) or down; positions are renumbered 0…n-1."""
    ordered = [item.article_id for item in items(session, playlist.id)]
    if article_id not in ordered:
        return False
    index = ordered.index(article_id)
    target = max(0, min(len(ordered) - 1, index + offset))
    ordered.insert(target, ordered.pop(index))
    for position, each in enumerate(ordered):
        session.execute(update(PlaylistItem).where(
            PlaylistItem.playlist_id == playlist.id, PlaylistItem.article_id == each)
            .values(position=position))
    return True


def rename(playlist: Playlist, name: str) -> None:
    playlist.name = clean_name(name) or playlist.name


def delete_playlist(session: Session, playlist: Playlist) -> None:
    session.delete(playlist)
