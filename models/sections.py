"""Sections: the site's navigation tree (News › Politics, News › World, Video…)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, selectinload

from models.base import Base, utcnow


class Section(Base):
    __tablename__ = "sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("sections.id", ondelete="SET NULL"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    # One keyword rule per line: an article whose title or summary matches goes here.
    keywords: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[Section | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Section]] = relationship(
        back_populates="parent", order_by="Section.position, Section.name")

    @property
    def keyword_list(self) -> list[str]:
        return [line.strip() for line in self.keywords.splitlines() if line.strip()]


def by_slug(session: Session, slug: str) -> Section | None:
    return session.scalar(select(Section).where(Section.slug == slug))


def navigation(session: Session) -> list[Section]:
    """Top-level sections in order, children loaded (two queries, whatever the count)."""
    return list(session.scalars(
        select(Section).where(Section.parent_id.is_(None))
        .options(selectinload(Section.children))
        .order_by(Section.position, Section.name)))


def all_in_order(session: Session) -> list[Section]:
    """Every section, parents before their children's siblings, for admin forms."""
    return list(session.scalars(select(Section).options(selectinload(Section.parent))
                                .order_by(Section.position, Section.name)))
