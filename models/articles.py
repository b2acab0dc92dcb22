"""Articles: what ingest stores and readers read."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow
from models.sections import Section
from models.sources import Source
from models.tags import Tag, article_tags


class Article(Base):
    __tablename__ = "articles"
    __table_args__ = (
        # DESIGN: an article is unique per source by its entry key. The key itself may be
        # a long URL, so uniqueness rests on its SHA-256 (fits any btree).
        Index("uq_articles_source_id_entry_hash", "source_id", "entry_hash", unique=True),
        Index("ix_articles_section_published", "section_id", "published_at"),
        Index("ix_articles_source_published", "source_id", "published_at"),
        Index("ix_articles_video_published", "is_video", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    entry_key: Mapped[str] = mapped_column(Text)
    entry_hash: Mapped[str] = mapped_column(String(64))
    url: Mapped[str | None] = mapped_column(String(2048))
    title: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str | None] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    content_html: Mapped[str] = mapped_column(Text, default="")
    content_hash: Mapped[str] = mapped_column(String(64))
    image_url: Mapped[str | None] = mapped_column(String(2048))
    image_alt: Mapped[str | None] = mapped_column(String(500))
    video_url: Mapped[str | None] = mapped_column(String(2048))
    video_embed_url: Mapped[str | None] = mapped_column(String(2048))
    is_video: Mapped[bool] = mapped_column(default=False)
    section_id: Mapped[int | None] = mapped_column(
        ForeignKey("sections.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(index=True)
    # When the publisher last changed the entry (feed's updated date), if it says.
    updated_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When Hopper last rewrote the row because its content hash changed.
    modified_at: Mapped[datetime] = mapped_column(default=utcnow)
    view_count: Mapped[int] = mapped_column(default=0)
    share_count: Mapped[int] = mapped_column(default=0)
    comment_count: Mapped[int] = mapped_column(default=0)

    source: Mapped[Source] = relationship()
    section: Mapped[Section | None] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary=article_tags, order_by=Tag.name)
