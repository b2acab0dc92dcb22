"""Removed articles: what is left of an article after retention deleted it — its id,
title, publisher and link to the original — so its old address answers 410 Gone with a
page that still leads readers to the publisher, instead of a bare 404.

A row is written in the same transaction that deletes the article (models/retention.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import String, Text, delete, insert, literal, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.articles import Article
from models.base import Base, UTCDateTime
from models.sources import Source


class RemovedArticle(Base):
    __tablename__ = "removed_articles"

    # The deleted article's own id (never generated here).
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    url: Mapped[str | None] = mapped_column(String(2048))
    title: Mapped[str] = mapped_column(Text, default="")
    source_name: Mapped[str] = mapped_column(String(300), default="")
    removed_at: Mapped[datetime]


def record_removed(session: Session, article_ids: Sequence[int], *, now: datetime) -> None:
    """Keep the address, title and publisher of articles about to be deleted.

    An id seen before (SQLite may hand a deleted rowid out again) keeps only its latest
    article's record."""
    if not article_ids:
        return
    session.execute(delete(RemovedArticle).where(RemovedArticle.id.in_(article_ids)))
    session.execute(insert(RemovedArticle).from_select(
        ["id", "url", "title", "source_name", "removed_at"],
        select(Article.id, Article.url, Article.title, Source.name,
               literal(now, UTCDateTime()))
        .join(Source, Source.id == Article.source_id)
        .where(Article.id.in_(article_ids))))


def find(session: Session, article_id: int) -> RemovedArticle | None:
    return session.get(RemovedArticle, article_id)
