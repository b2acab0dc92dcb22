"""Comments: the discussion under articles, with reports for moderation.

Invariant: `Article.comment_count` counts the article's visible (not hidden) comments.
Every function here that adds, hides, unhides or deletes a comment adjusts it in the
same transaction, so listings never need to count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Index, Text, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, joinedload, mapped_column, relationship

from models.articles import Article
from models.base import NEVER_REUSE_IDS, Base, utcnow
from models.users import User

EDIT_WINDOW = timedelta(minutes=15)
MAX_BODY_LENGTH = 5000


class Comment(Base):
    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_article_created", "article_id", "created_at"),
                      NEVER_REUSE_IDS)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)            # what the reader typed
    body_html: Mapped[str] = mapped_column(Text)       # rendered and sanitised
    is_hidden: Mapped[bool] = mapped_column(default=False)
    report_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    edited_at: Mapped[datetime | None]

    article: Mapped[Article] = relationship()
    user: Mapped[User] = relationship()

    def is_editable_by(self, user_id: int, now: datetime) -> bool:
        return self.user_id == user_id and now - self.created_at <= EDIT_WINDOW


class CommentReport(Base):
    __tablename__ = "comment_reports"
    __table_args__ = (
        Index("uq_comment_reports_comment_user", "comment_id", "user_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@dataclass(frozen=True)
class Thread:
    article: Article
    recent_comments: int


def _adjust_count(session: Session, article_id: int, delta: int) -> None:
    session.execute(update(Article).where(Article.id == article_id)
                    .values(comment_count=Article.comment_count + delta))


def add(session: Session, *, article_id: int, user_id: int, body: str, body_html: str,
        now: datetime) -> Comment:
    comment = Comment(article_id=article_id, user_id=user_id, body=body,
                      body_html=body_html, created_at=now)
    session.add(comment)
    session.flush()
    _adjust_count(session, article_id, +1)
    return comment


def edit(comment: Comment, *, body: str, body_html: str, now: datetime) -> None:
    comment.body = body
    comment.body_html = body_html
    comment.edited_at = now


def set_hidden(session: Session, comment: Comment, is_hidden: bool) -> None:
    if comment.is_hidden == is_hidden:
        return
    comment.is_hidden = is_hidden
    _adjust_count(session, comment.article_id, -1 if is_hidden else +1)


def delete_comment(session: Session, comment: Comment) -> None:
    if not comment.is_hidden:
        _adjust_count(session, comment.article_id, -1)
    session.delete(comment)


def report(session: Session, comment: Comment, user_id: int, reason: str = "") -> bool:
    """Record one report per user per comment. True if this report is new."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(CommentReport).values(
        comment_id=comment.id, user_id=user_id, reason=reason[:500], created_at=utcnow()
    ).on_conflict_do_nothing(index_elements=[CommentReport.comment_id, CommentReport.user_id])
    # RETURNING, not rowcount: rowcount of an INSERT … ON CONFLICT is -1 on psycopg here.
    if session.execute(statement.returning(CommentReport.id)).scalar_one_or_none() is None:
        return False
    session.execute(update(Comment).where(Comment.id == comment.id)
                    .values(report_count=Comment.report_count + 1))
    return True


def by_id(session: Session, comment_id: int) -> Comment | None:
    return session.get(Comment, comment_id)


def visible_for_article(session: Session, article_id: int) -> list[Comment]:
    return list(session.scalars(
        select(Comment).where(Comment.article_id == article_id, ~Comment.is_hidden)
        .options(joinedload(Comment.user))
        .order_by(Comment.created_at, Comment.id)))


def liveliest_threads(session: Session, since: datetime, limit: int = 30) -> list[Thread]:
    """Articles with the most visible comments written since `since`, most first."""
    recent = func.count(Comment.id).label("recent")
    counts = (select(Comment.article_id, recent)
              .where(Comment.created_at >= since, ~Comment.is_hidden)
              .group_by(Comment.article_id).subquery())
    rows = session.execute(
        select(Article, counts.c.recent)
        .join(counts, counts.c.article_id == Article.id)
        .options(joinedload(Article.source))
        .order_by(counts.c.recent.desc(), Article.published_at.desc())
        .limit(limit))
    return [Thread(article, count) for article, count in rows]


def reported(session: Session, limit: int = 100) -> list[Comment]:
    return list(session.scalars(
        select(Comment).where(Comment.report_count > 0)
        .options(joinedload(Comment.user), joinedload(Comment.article))
        .order_by(Comment.report_count.desc(), Comment.created_at.desc()).limit(limit)))


def recent(session: Session, limit: int = 50) -> list[Comment]:
    return list(session.scalars(
        select(Comment).options(joinedload(Comment.user), joinedload(Comment.article))
        .order_by(Comment.created_at.desc(), Comment.id.desc()).limit(limit)))
