"""Sections: the site's navigation tree (News › Politics, News › World, Video…)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, selectinload

from hopper.widths import SECTION_NAME_MAX
from models.base import Base, utcnow


class Section(Base):
    __tablename__ = "sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(SECTION_NAME_MAX))
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


def with_keyword_rules(session: Session) -> list[Section]:
    """Sections that have keyword rules, in menu order (ingest classifies by them)."""
    return list(session.scalars(select(Section).where(Section.keywords != "")
                                .order_by(Section.position, Section.name)))


def all_in_order(session: Session) -> list[Section]:
    """Every section, parents before their children's siblings, for admin forms."""
    return list(session.scalars(select(Section).options(selectinload(Section.parent))
                                .order_by(Section.position, Section.name)))


@dataclass(frozen=True)
class SectionTree:
    """Every section, loaded in one statement and arranged in Python: pages ask for
    parents, children and whole subtrees without another query (the table is small)."""

    sections: tuple[Section, ...]

    @cached_property
    def _by_id(self) -> dict[int, Section]:
        return {section.id: section for section in self.sections}

    @cached_property
    def _children(self) -> dict[int | None, list[Section]]:
        children: dict[int | None, list[Section]] = {}
        for section in self.sections:   # already in (position, name) order
            parent_id = section.parent_id if section.parent_id in self._by_id else None
            children.setdefault(parent_id, []).append(section)
        return children

    @property
    def roots(self) -> list[Section]:
        return self._children.get(None, [])

    def children_of(self, section: Section) -> list[Section]:
        return self._children.get(section.id, [])

    def by_slug(self, slug: str) -> Section | None:
        return next((s for s in self.sections if s.slug == slug), None)

    def by_id(self, section_id: int | None) -> Section | None:
        return self._by_id.get(section_id) if section_id is not None else None

    def subtree_ids(self, section: Section) -> list[int]:
        """The section and every section below it (cycles in bad data are cut)."""
        ids: list[int] = []
        pending = [section]
        while pending:
            current = pending.pop()
            if current.id in ids:
                continue
            ids.append(current.id)
            pending.extend(self.children_of(current))
        return ids

    def trail(self, section: Section | None) -> list[Section]:
        """Breadcrumbs: the root first, `section` last."""
        trail: list[Section] = []
        while section is not None and section not in trail:
            trail.insert(0, section)
            section = self.by_id(section.parent_id)
        return trail


def load_tree(session: Session) -> SectionTree:
    return SectionTree(tuple(session.scalars(
        select(Section).order_by(Section.position, Section.name, Section.id))))
