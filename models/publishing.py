"""Queries behind what Hopper publishes to machines: RSS out, the sitemap, and the
public lists of sections and sources (JSON API)."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from models.articles import Article
from models.sections import Section
from models.sources import Source


class SitemapEntry(NamedTuple):
    id: int
    title: str
    published_at: datetime
    modified_at: datetime


def latest_articles(session: Session, *, section: Section | None = None,
                    limit: int = 50) -> list[Article]:
    """Newest first; a section's feed includes its children's articles."""
    statement = select(Article).options(joinedload(Article.source), joinedload(Article.section))
    if section is not None:
        statement = statement.where(Article.section_id.in_(
            select(Section.id).where((Section.id == section.id)
                                     | (Section.parent_id == section.id))))
    return list(session.scalars(
        statement.order_by(Article.published_at.desc(), Article.id.desc()).limit(limit)))


def sitemap_entries(session: Session, *, limit: int, offset: int = 0) -> list[SitemapEntry]:
    """The newest articles' few columns a sitemap needs (no bodies loaded)."""
    rows = session.execute(
        select(Article.id, Article.title, Article.published_at, Article.modified_at)
        .order_by(Article.published_at.desc(), Article.id.desc()).limit(limit).offset(offset))
    return [SitemapEntry(*row) for row in rows]


def count_articles(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Article)) or 0)


def all_sections(session: Session) -> list[Section]:
    return list(session.scalars(
        select(Section).options(joinedload(Section.parent))
        .order_by(Section.position, Section.name)))


def all_sources(session: Session) -> list[Source]:
    return list(session.scalars(
        select(Source).options(joinedload(Source.section)).order_by(Source.name, Source.id)))
