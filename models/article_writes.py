"""Writing what ingest found: batched article upserts, tags by slug, article–tag links.

Deduplication rests on the database, never on a check-then-insert in Python
(RELIABILITY.md, "Data"): articles are upserted with `INSERT … ON CONFLICT` on
`uq_articles_source_id_entry_hash`, tags on their unique slug, links on their primary
key. Each function sends one statement per batch (executemany), not one per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import Insert, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from models.articles import Article
from models.tags import Tag, article_tags

# Rows per IN (…) list: far below SQLite's and PostgreSQL's bound-parameter limits.
IN_BATCH = 500
TAG_SLUG_MAX = 100
TAG_NAME_MAX = 100

# What a rewrite of an existing article changes. Kept out: its first-seen time, its
# publication time (the site's order must not jump) and the readers' counters.
REWRITTEN_COLUMNS = ("url", "title", "author", "summary", "content_html", "content_hash",
                     "image_url", "image_alt", "video_url", "video_embed_url", "is_video",
                     "section_id", "updated_at", "modified_at", "entry_key")

T = TypeVar("T")


def _batches(items: Sequence[T], size: int = IN_BATCH) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _insert(session: Session, table: Any) -> Insert:
    if session.get_bind().dialect.name == "postgresql":
        return pg_insert(table)
    return sqlite_insert(table)


def content_hashes(session: Session, source_id: int,
                   entry_hashes: Sequence[str]) -> dict[str, str]:
    """{entry_hash: content_hash} of the given entries this source already has."""
    found: dict[str, str] = {}
    for batch in _batches(entry_hashes):
        found.update(session.execute(
            select(Article.entry_hash, Article.content_hash)
            .where(Article.source_id == source_id, Article.entry_hash.in_(batch))).all())
    return found


def upsert_articles(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert new articles, rewrite those whose content hash changed, leave the rest.

    Every row carries every column in `REWRITTEN_COLUMNS` plus source_id, entry_hash,
    published_at, created_at. Rows must be unique by (source_id, entry_hash).
    """
    if not rows:
        return
    table = Article.__table__
    statement = _insert(session, table)
    statement = statement.on_conflict_do_update(  # type: ignore[attr-defined]
        index_elements=[table.c.source_id, table.c.entry_hash],
        set_={name: statement.excluded[name] for name in REWRITTEN_COLUMNS},
        where=table.c.content_hash != statement.excluded.content_hash,
    )
    session.connection().execute(statement, list(rows))


def ids_by_entry_hash(session: Session, source_id: int,
                      entry_hashes: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for batch in _batches(entry_hashes):
        found.update(session.execute(
            select(Article.entry_hash, Article.id)
            .where(Article.source_id == source_id, Article.entry_hash.in_(batch))).all())
    return found


def ensure_tags(session: Session, names_by_slug: Mapping[str, str]) -> dict[str, int]:
    """{slug: tag id} for the given tags ({slug: display name}), creating missing ones;
    an existing tag keeps its name. Safe against a concurrent poll creating the same tag."""
    by_slug = {slug[:TAG_SLUG_MAX]: name.strip()[:TAG_NAME_MAX]
               for slug, name in names_by_slug.items() if slug}
    if not by_slug:
        return {}
    table = Tag.__table__
    statement = _insert(session, table).on_conflict_do_nothing(  # type: ignore[attr-defined]
        index_elements=[table.c.slug])
    session.connection().execute(statement, [{"slug": slug, "name": name}
                                             for slug, name in by_slug.items()])
    slugs = list(by_slug)
    found: dict[str, int] = {}
    for batch in _batches(slugs):
        found.update(session.execute(select(Tag.slug, Tag.id)
                                     .where(Tag.slug.in_(batch))).all())
    return found


def replace_tag_links(session: Session, links: Mapping[int, Iterable[int]]) -> None:
    """Make each article's tags exactly the given tag ids."""
    article_ids = list(links)
    for batch in _batches(article_ids):
        session.connection().execute(
            delete(article_tags).where(article_tags.c.article_id.in_(batch)))
    rows = [{"article_id": article_id, "tag_id": tag_id}
            for article_id, tag_ids in links.items() for tag_id in set(tag_ids)]
    if rows:
        statement = _insert(session, article_tags).on_conflict_do_nothing()  # type: ignore[attr-defined]
        session.connection().execute(statement, rows)
