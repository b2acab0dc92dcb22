"""Retention: what Hopper deletes on its own, and when (docs/operations.md).

- Articles older than the retention period go, unless a reader kept them (a playlist
  item) or discussed them (a comment): those are the readers' data, not a cache. Each
  leaves a small record (models/removed_articles.py) so its address answers 410 Gone.
- Tags that no article carries any more go.
- Consent records older than the privacy policy's retention period go.

Deletions run in small batches, each its own short transaction, so on SQLite a purge
never holds the write lock long enough to starve ingest. Callers own the sessions:
each function deletes one batch and returns how many rows it removed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, exists, select
from sqlalchemy.orm import Session

from models.articles import Article
from models.base import utcnow
from models.comments import Comment
from models.consent import ConsentRecord
from models.playlists import PlaylistItem
from models.removed_articles import record_removed
from models.stories import refresh_counts
from models.tags import Tag, article_tags

BATCH_SIZE = 500


def delete_expired_articles(session: Session, published_before: datetime,
                            batch_size: int = BATCH_SIZE) -> int:
    """Delete one batch of articles published before the cutoff that nobody kept."""
    is_kept = (exists().where(PlaylistItem.article_id == Article.id)
               | exists().where(Comment.article_id == Article.id))
    ids = list(session.scalars(
        select(Article.id)
        .where(Article.published_at < published_before, ~is_kept)
        .order_by(Article.published_at)
        .limit(batch_size)))
    if not ids:
        return 0
    # Tag links go explicitly: SQLite enforces ON DELETE CASCADE only with foreign keys on,
    # and a restored or hand-made database might not have them.
    stories = set(session.scalars(select(Article.story_id).distinct().where(
        Article.id.in_(ids), Article.story_id.is_not(None))))
    record_removed(session, ids, now=utcnow())
    session.execute(delete(article_tags).where(article_tags.c.article_id.in_(ids)))
    session.execute(delete(Article).where(Article.id.in_(ids)))
    # Their stories are recounted (a story left with none goes): story cards and the
    # stories API show the coverage that is left, not the expired members.
    refresh_counts(session, stories)
    return len(ids)


def delete_orphan_tags(session: Session, batch_size: int = BATCH_SIZE) -> int:
    """Delete one batch of tags that no article carries."""
    is_orphan = ~exists().where(article_tags.c.tag_id == Tag.id)
    ids = list(session.scalars(select(Tag.id).where(is_orphan).limit(batch_size)))
    if not ids:
        return 0
    # Checked again in the DELETE: ingest may have tagged an article since the SELECT.
    result = cast("CursorResult[Any]",
                  session.execute(delete(Tag).where(Tag.id.in_(ids), is_orphan)))
    return int(result.rowcount or 0)


def delete_expired_consent(session: Session, created_before: datetime,
                           batch_size: int = BATCH_SIZE) -> int:
    """Delete one batch of consent records older than the cutoff."""
    ids = list(session.scalars(
        select(ConsentRecord.id)
        .where(ConsentRecord.created_at < created_before)
        .order_by(ConsentRecord.created_at)
        .limit(batch_size)))
    if not ids:
        return 0
    session.execute(delete(ConsentRecord).where(ConsentRecord.id.in_(ids)))
    return len(ids)
