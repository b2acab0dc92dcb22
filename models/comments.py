"""Comments: the discussion under articles, with reports for moderation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.articles import Article
from models.base import Base, utcnow
from models.users import User


class Comment(Base):
    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_article_created", "article_id", "created_at"),)

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
