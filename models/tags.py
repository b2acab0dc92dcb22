"""Tags: normalised labels shared by articles (many-to-many)."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, String, Table, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base

article_tags = Table(
    "article_tags",
    Base.metadata,
    Column("article_id", ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    # A tag's articles (tag pages, related articles) come from this index alone.
    Index("ix_article_tags_tag_id_article_id", "tag_id", "article_id"),
)


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(100))


def by_slug(session: Session, slug: str) -> Tag | None:
    return session.scalar(select(Tag).where(Tag.slug == slug))
