"""Full text for summary-only feeds: which new articles want their page fetched, and
recording what the fetch found (the text, a failure on the source's health row, the
page's reuse signals as suggestions for the admin)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.articles import Article
from models.sources import FullText, Rights, Source, merge_signals

ERROR_MAX = 1000


@dataclass(frozen=True, slots=True)
class FullTextJob:
    """What fetching one article's page needs, read before any network I/O."""

    article_id: int
    source_id: int
    url: str
    mode: str                       # FullText value
    body_html: str                  # what the feed gave, sanitised


def wanting_full_text(session: Session, source_id: int, *, created_since: datetime) -> list[int]:
    """Articles of `source_id` stored since `created_since` that may get their page's
    text: only a `full` source shows it, and `off` never fetches."""
    return list(session.scalars(
        select(Article.id).join(Source, Source.id == Article.source_id)
        .where(Article.source_id == source_id, Article.created_at >= created_since,
               Article.full_text_html.is_(None), Article.url.is_not(None),
               Source.rights == Rights.FULL.value, Source.full_text != FullText.OFF.value)
        .order_by(Article.id)))


def job_for(session: Session, article_id: int) -> FullTextJob | None:
    row = session.execute(
        select(Article.id, Article.source_id, Article.url, Source.full_text,
               Article.content_html, Source.rights)
        .join(Source, Source.id == Article.source_id).where(Article.id == article_id)).first()
    if row is None or row.url is None or row.rights != Rights.FULL.value:
        return None
    return FullTextJob(row.id, row.source_id, row.url, row.full_text, row.content_html)


def save_full_text(session: Session, article_id: int, html: str) -> None:
    session.execute(update(Article).where(Article.id == article_id)
                    .values(full_text_html=html)
                    .execution_options(synchronize_session=False))


def record_result(session: Session, source_id: int, *, error: str | None,
                  signals: Iterable[str]) -> None:
    """The source's full-text health (the last failure, or none since a success) and the
    reuse signals seen, merged with those already recorded."""
    current = session.scalar(select(Source.rights_signals).where(Source.id == source_id))
    session.execute(update(Source).where(Source.id == source_id).values(
        full_text_error=error[:ERROR_MAX] if error else None,
        rights_signals=merge_signals(current, signals))
        .execution_options(synchronize_session=False))
