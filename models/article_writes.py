"""Writing what ingest found: batched article upserts, tags by slug, article–tag links.

Deduplication rests on the database, never on a check-then-insert in Python
(docs/architecture.md, "Data"): articles are upserted with `INSERT … ON CONFLICT` on
`uq_articles_source_id_entry_hash`, tags on their unique slug, links on their primary
key. Each function sends one statement per batch (executemany), not one per row.

On SQLite, where every poll's write transaction holds the one write lock, the articles
upsert and the tag links skip SQLAlchemy's per-row parameter handling: the statement is
the one SQLAlchemy compiles, its values bound by the columns' own bind processors, sent
as the same multi-row INSERTs through `exec_driver_sql` (`_SqliteUpsert`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, KeysView, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from operator import itemgetter
from typing import Any, NamedTuple, TypeVar, TypeVarTuple

from sqlalchemy import Insert, Row, Select, and_, bindparam, case, delete, select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from models.articles import Article
from models.db import dialect_insert, insert_for_dialect
from models.sources import Source
from models.tags import Tag, article_tags

# Rows per IN (…) list: far below SQLite's and PostgreSQL's bound-parameter limits.
IN_BATCH = 500
TAG_SLUG_MAX = 100
TAG_NAME_MAX = 100

# What a rewrite of an existing article changes. Kept out: its first-seen time, its
# publication time (the site's order must not jump) and the readers' counters.
REWRITTEN_COLUMNS = ("url", "title", "author", "summary", "content_html", "content_hash",
                     "image_url", "image_alt", "image_caption", "video_url", "video_embed_url",
                     "is_video", "section_id", "updated_at", "modified_at", "entry_key",
                     "story_id")

# What a reader reads besides the lead image's alt text and caption.
PICTURE_UNRELATED_COLUMNS = ("url", "title", "summary", "content_html", "image_url",
                             "video_url", "video_embed_url")

T = TypeVar("T")
Columns = TypeVarTuple("Columns")


def _batches(items: Sequence[T], size: int = IN_BATCH) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


@cache
def _article_upsert(dialect: str) -> Insert:
    """Built once per dialect: statements are immutable, and building this one (fifteen
    `excluded` columns) costs more than running it for a small feed."""
    table = Article.__table__
    statement = insert_for_dialect(dialect, table)
    rewritten: dict[str, Any] = {name: statement.excluded[name] for name in REWRITTEN_COLUMNS}
    # A new lead image has not been checked yet (models/article_images.py); the same
    # image keeps what its check found.
    for column in ("image_status", "image_checked_at", "image_width", "image_height"):
        rewritten[column] = case(
            (table.c.image_url == statement.excluded.image_url, table.c[column]), else_=None)
    # A rewrite that changes only the picture's words (a corrected caption, alt text or
    # credit) is no update of the story: the article keeps its modified_at, so the page
    # does not call it updated (Article.changed_at).
    rewritten["modified_at"] = case(
        (and_(*(table.c[column].is_not_distinct_from(statement.excluded[column])
                for column in PICTURE_UNRELATED_COLUMNS)), table.c.modified_at),
        else_=statement.excluded.modified_at)
    return statement.on_conflict_do_update(
        index_elements=[table.c.source_id, table.c.entry_hash],
        set_=rewritten,
        where=table.c.content_hash != statement.excluded.content_hash,
    ).returning(table.c.source_id, table.c.entry_hash, table.c.id)


def content_hashes(session: Session,
                   entry_hashes: Mapping[int, Sequence[str]]) -> dict[tuple[int, str], str]:
    """{(source_id, entry_hash): content_hash} of the given entries ({source id: entry
    hashes}) that already exist: one query per source (and IN_BATCH hashes)."""
    return {(source_id, entry_hash): content_hash
            for source_id, entry_hash, content_hash in _of_entries(
                session, _CONTENT_HASHES, entry_hashes)}


# One query per source: `source_id IN (…) AND entry_hash IN (…)` for many sources at
# once made SQLite probe the unique index once per source AND hash (24 polls of 30
# entries: 17,280 probes for 720 entries), CPU inside the write transaction that grew
# with the table. Built once, so an execution skips building the statement and its key.
_CONTENT_HASHES = select(Article.source_id, Article.entry_hash, Article.content_hash).where(
    Article.source_id == bindparam("source_id"),
    Article.entry_hash.in_(bindparam("entry_hashes", expanding=True)))
_CURRENT_STORIES = select(Article.source_id, Article.entry_hash, Article.story_id,
                          Article.title).where(
    Article.source_id == bindparam("source_id"),
    Article.entry_hash.in_(bindparam("entry_hashes", expanding=True)))


def _of_entries(session: Session, statement: Select[*Columns],
                entry_hashes: Mapping[int, Iterable[str]]) -> Iterator[Row[*Columns]]:
    """The rows `statement` (_CONTENT_HASHES, _CURRENT_STORIES) finds for the given
    entries ({source id: entry hashes}), one query per source and IN_BATCH hashes, none
    for a source without articles (a first poll's)."""
    for source_id in sorted(_with_articles(session, entry_hashes)):
        for batch in _batches(sorted(set(entry_hashes[source_id]))):
            yield from session.execute(statement,
                                       {"source_id": source_id, "entry_hashes": batch})


def _with_articles(session: Session, source_ids: Iterable[int]) -> set[int]:
    """Those of `source_ids` that have an article, in one query (one probe per source)."""
    ids = sorted(source_ids)
    found: set[int] = set()
    for batch in _batches(ids):
        found.update(session.scalars(select(Source.id).where(
            Source.id.in_(batch), select(Article.id).where(Article.source_id == Source.id)
            .exists())))
    return found


def stored_with_urls(session: Session, urls: Mapping[int, Sequence[str]]
                     ) -> list[tuple[int, str, str, str, str]]:
    """(source_id, url, entry_key, entry_hash, title) of the stored articles of each source
    ({source id: urls}) whose link is one of its urls: one query per IN_BATCH urls."""
    wanted = {(source_id, url) for source_id, given in urls.items() for url in given}
    source_ids = sorted(urls)
    found = []
    for batch in _batches(sorted({url for _, url in wanted})):
        rows = session.execute(
            select(Article.source_id, Article.url, Article.entry_key, Article.entry_hash,
                   Article.title)
            .where(Article.source_id.in_(source_ids), Article.url.in_(batch)))
        found += [(source_id, url, key, entry_hash, title)
                  for source_id, url, key, entry_hash, title in rows
                  if url is not None and (source_id, url) in wanted]
    return found


def current_stories(session: Session, keys: Sequence[tuple[int, str]]
                    ) -> dict[tuple[int, str], tuple[int | None, str]]:
    """{(source_id, entry_hash): (story id, title)} of existing articles (edited ones, whose
    story may change with their title)."""
    by_source: dict[int, list[str]] = {}
    for source_id, entry_hash in keys:
        by_source.setdefault(source_id, []).append(entry_hash)
    return {(source_id, entry_hash): (story_id, title)
            for source_id, entry_hash, story_id, title in _of_entries(
                session, _CURRENT_STORIES, by_source)}


def upsert_articles(session: Session, rows: Sequence[Mapping[str, Any]], *,
                    bound: Sequence[Bound | None] | None = None,
                    ) -> dict[tuple[int, str], int]:
    """Insert new articles, rewrite those whose content hash changed, leave the rest;
    returns {(source_id, entry_hash): article id} of the rows written.

    Every row carries every column in `REWRITTEN_COLUMNS` plus source_id, entry_hash,
    published_at, created_at. Rows must be unique by (source_id, entry_hash). SQLAlchemy
    sends them as multi-row INSERTs (its "insertmanyvalues" batches), not one per row;
    on SQLite `_SqliteUpsert` sends the same statements itself, with the values
    `bind_articles` worked out beforehand where `bound` (one per row) has them.
    """
    if not rows:
        return {}
    dialect = session.get_bind().dialect
    connection = session.connection()
    if dialect.name == "sqlite":
        upsert = _sqlite_upsert(dialect, tuple(rows[0]))
        return {(source_id, entry_hash): article_id
                for source_id, entry_hash, article_id in upsert.run(connection, rows, bound)}
    result = connection.execute(_article_upsert(dialect.name), list(rows))
    return {(source_id, entry_hash): article_id
            for source_id, entry_hash, article_id in result}


class Bound(NamedTuple):
    """A row's values as `_SqliteUpsert` sends them (`bind_articles`)."""

    upsert: _SqliteUpsert         # bound for this statement (these columns, in order)
    values: list[Any]


def bind_articles(dialect: Dialect, rows: Sequence[Mapping[str, Any]]
                  ) -> list[Bound | None]:
    """The values `upsert_articles` sends for each row on SQLite (None elsewhere), for a
    caller to work out before its write transaction. The rows must have the columns, in
    the order, they will have then; only `LATE_COLUMNS` may change in the meantime: their
    values are read again from the rows when they are sent."""
    if dialect.name != "sqlite":
        return [None] * len(rows)
    found: list[Bound | None] = []
    columns: KeysView[str] | None = None
    for row in rows:
        if columns is None or row.keys() != columns:     # values are read by name
            columns = row.keys()
            upsert = _sqlite_upsert(dialect, tuple(columns))
        found.append(Bound(upsert, upsert.bind(row)))
    return found


# The counters a new article starts with (their columns' defaults), bound as values by
# `_SqliteUpsert`, which runs no Python-side defaults.
_NEW_ARTICLE_COUNTERS = {"view_count": 0, "share_count": 0, "comment_count": 0}
# What may change in a row after `bind_articles` (decided inside the write transaction:
# the source's section, read there, and the story); bound as they are (no processor).
LATE_COLUMNS = ("section_id", "story_id")
# Rows per statement on SQLite: as SQLAlchemy's insertmanyvalues pages (1,000 rows, and
# 25 columns stay far below SQLite's 32,766 bound parameters).
SQLITE_ROWS_PER_STATEMENT = 1000


@dataclass(frozen=True)
class _SqliteUpsert:
    """The articles upsert, compiled once per set of columns, sent as multi-row INSERTs
    with positional values: each row's values are read in the statement's order and only
    the columns with a bind processor (times, booleans) go through it. SQLAlchemy's own
    executemany builds a parameter dictionary per row and passes every value through its
    processing, the main part of the Python work inside a poll's write transaction."""

    head: str                     # INSERT … VALUES
    values: str                   # (?, ?, …): one row
    tail: str                     # ON CONFLICT … RETURNING …
    read: Callable[[Mapping[str, Any]], tuple[Any, ...]]      # the row's own values
    constants: tuple[tuple[int, Any], ...]    # then these inserted, by ascending index
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]
    late: tuple[tuple[int, str], ...]          # LATE_COLUMNS' places

    def bind(self, row: Mapping[str, Any]) -> list[Any]:
        values = list(self.read(row))
        for index, value in self.constants:
            values.insert(index, value)
        for index, process in self.processors:
            values[index] = process(values[index])
        return values

    def run(self, connection: Any, rows: Sequence[Mapping[str, Any]],
            bound: Sequence[Bound | None] | None) -> Iterator[Sequence[Any]]:
        late = self.late
        for start in range(0, len(rows), SQLITE_ROWS_PER_STATEMENT):
            batch = rows[start:start + SQLITE_ROWS_PER_STATEMENT]
            values: list[Any] = []
            for offset, row in enumerate(batch):
                ahead = bound[start + offset] if bound is not None else None
                if ahead is None or ahead.upsert is not self:
                    values += self.bind(row)
                    continue
                one = ahead.values
                for index, name in late:
                    one[index] = row[name]
                values += one
            statement = self.head + ", ".join([self.values] * len(batch)) + self.tail
            yield from connection.exec_driver_sql(statement, tuple(values)).all()


@cache
def _sqlite_upsert(dialect: Dialect, columns: tuple[str, ...]) -> _SqliteUpsert:
    """`_article_upsert` as SQLite's compiler writes it for rows of these columns (and
    the counters' defaults)."""
    table = Article.__table__
    counters = [name for name in _NEW_ARTICLE_COUNTERS if name not in columns]
    keys = [*columns, *counters]
    compiled = _article_upsert("sqlite").compile(dialect=dialect, column_keys=keys)
    order = list(compiled.positiontup or ())
    if sorted(order) != sorted(keys):
        raise RuntimeError(f"unexpected articles upsert parameters: {order}")
    one_row = "(" + ", ".join(["?"] * len(order)) + ")"
    head, marker, tail = compiled.string.partition(" VALUES " + one_row)
    if not marker or one_row in tail:
        raise RuntimeError("unexpected articles upsert statement")
    constants = tuple((index, _NEW_ARTICLE_COUNTERS[name]) for index, name in enumerate(order)
                      if name in counters)
    read = itemgetter(*[name for name in order if name not in counters])
    processors = []
    for index, name in enumerate(order):
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            processors.append((index, process))
    late = tuple((order.index(name), name) for name in LATE_COLUMNS if name in order)
    if any(index in dict(processors) for index, _ in late):
        raise RuntimeError("a late column of the articles upsert has a bind processor")
    return _SqliteUpsert(head + " VALUES ", one_row, tail, read, constants, tuple(processors),
                         late)


def ensure_tags(session: Session, names_by_slug: Mapping[str, str]) -> dict[str, int]:
    """{slug: tag id} for the given tags ({slug: display name}), creating missing ones;
    an existing tag keeps its name. Safe against a concurrent poll creating the same tag."""
    by_slug = {slug[:TAG_SLUG_MAX]: name.strip()[:TAG_NAME_MAX]
               for slug, name in names_by_slug.items() if slug}
    if not by_slug:
        return {}
    table = Tag.__table__
    statement = dialect_insert(session, table).on_conflict_do_nothing(
        index_elements=[table.c.slug])
    # In slug order: two transactions creating overlapping tags never deadlock.
    session.connection().execute(statement, [{"slug": slug, "name": by_slug[slug]}
                                             for slug in sorted(by_slug)])
    slugs = list(by_slug)
    found: dict[str, int] = {}
    for batch in _batches(slugs):
        found.update(session.execute(select(Tag.slug, Tag.id)
                                     .where(Tag.slug.in_(batch))).all())
    return found


def replace_tag_links(session: Session, links: Mapping[int, Iterable[int]], *,
                      clear: Sequence[int] | None = None) -> None:
    """Make each article's tags exactly the given tag ids. `clear` names the articles
    that may have links already (default: all of them); the others are only added to."""
    article_ids = list(links) if clear is None else list(clear)
    for batch in _batches(article_ids):
        session.connection().execute(
            delete(article_tags).where(article_tags.c.article_id.in_(batch)))
    pairs = [(article_id, tag_id)
             for article_id, tag_ids in links.items() for tag_id in set(tag_ids)]
    if not pairs:
        return
    dialect = session.get_bind().dialect
    if dialect.name == "sqlite":      # the same statement, without per-row dictionaries
        session.connection().exec_driver_sql(_sqlite_link_insert(dialect), pairs)
        return
    statement = dialect_insert(session, article_tags).on_conflict_do_nothing()
    session.connection().execute(statement, [{"article_id": article_id, "tag_id": tag_id}
                                             for article_id, tag_id in pairs])


@cache
def _sqlite_link_insert(dialect: Dialect) -> str:
    """The article–tag link insert as SQLite's compiler writes it, values in this order."""
    compiled = insert_for_dialect("sqlite", article_tags).on_conflict_do_nothing().compile(
        dialect=dialect, column_keys=["article_id", "tag_id"])
    if list(compiled.positiontup or ()) != ["article_id", "tag_id"]:
        raise RuntimeError(f"unexpected article_tags insert: {compiled.string}")
    return compiled.string
