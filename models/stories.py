"""Stories: the coverage of one event by one or more sources, and the index that finds
the open story a new article belongs to.

A story row keeps what assignment needs to decide without reading its members: the
centroid of its members' term vectors (summed weights, trimmed to the strongest terms)
and its lead article's own vector. `story_terms` is an inverted index from a term (or a
near-duplicate key: a title hash, a MinHash band) to the stories that carry it; it covers
open stories only, so finding candidates costs a few index range scans whatever the
number of articles (workers/ingest/stories/story.py decides, workers/ingest/stories/store_stories.py
writes). Stories ids appear in links, so the table is AUTOINCREMENT on SQLite: a deleted
story's id is never handed to another.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import (
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    bindparam,
    delete,
    distinct,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Session, joinedload, mapped_column, selectinload

from models.article_images import IMAGE_DEAD
from models.articles import Article, card_options, load_cards
from models.base import NEVER_REUSE_IDS, Base, utcnow

# Terms longer than this are cut: the index column is bounded.
TERM_MAX = 64


class Story(Base):
    __tablename__ = "stories"
    __table_args__ = (
        # The front page and the maintenance task read open stories by recency.
        Index("ix_stories_open_last", "is_open", "last_published_at"),
        Index("ix_stories_section_last", "section_id", "last_published_at"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The lead headline's article (no foreign key: retention deletes articles, and the
    # next assignment or maintenance run picks another lead).
    lead_article_id: Mapped[int | None]
    title: Mapped[str] = mapped_column(Text, default="")
    section_id: Mapped[int | None] = mapped_column(
        ForeignKey("sections.id", ondelete="SET NULL"))
    first_published_at: Mapped[datetime]
    last_published_at: Mapped[datetime]
    article_count: Mapped[int] = mapped_column(default=0)
    source_count: Mapped[int] = mapped_column(default=0)
    is_open: Mapped[bool] = mapped_column(default=True)
    closed_at: Mapped[datetime | None]
    # A story merged into another keeps its row so that its links redirect.
    merged_into_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # JSON {term: summed weight} of the members, and {term: weight} of the lead.
    centroid: Mapped[str] = mapped_column(Text, default="{}")
    lead_terms: Mapped[str] = mapped_column(Text, default="{}")


class StoryTerm(Base):
    """Inverted index: term or near-duplicate key → open stories carrying it."""

    __tablename__ = "story_terms"
    # On SQLite the key is the table (no rowid): an entry is written to one B-tree less.
    __table_args__ = (Index("ix_story_terms_story_id", "story_id"),
                      {"sqlite_with_rowid": False})

    term: Mapped[str] = mapped_column(String(TERM_MAX), primary_key=True)
    story_id: Mapped[int] = mapped_column(
        ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True)


@dataclass
class OpenStory:
    """What assignment reads of a candidate story (plain values, no ORM object). The two
    documents are parses shared with other reads of the same text (see `_document`):
    never changed in place."""

    id: int
    lead_article_id: int | None
    title: str
    section_id: int | None
    last_published_at: datetime
    centroid: dict[str, Any]       # {"n", "terms": {term: summed weight}, "entities"}
    lead_terms: dict[str, Any]     # {"terms", "entities", "decimals", "preferred"}
    # False once closed or merged into another (lock_stories reads such rows too).
    is_open: bool = True


# --- assignment -------------------------------------------------------------------------

def stories_with_terms(session: Session, terms: Sequence[str], *,
                       per_term: int) -> dict[str, list[int]]:
    """{term: story ids} for the given terms, the newest `per_term` stories of each: a
    union of index range scans, so the cost follows the number of terms, not of stories."""
    found: dict[str, list[int]] = {}
    unique = sorted({term[:TERM_MAX] for term in terms if term})
    connection = session.connection()
    statement = _postings_sql(per_term, _placeholder(connection))
    for start in range(0, len(unique), TERMS_PER_QUERY):
        chunk = unique[start:start + TERMS_PER_QUERY]
        # Padded with "" (no term is empty): one statement, prepared once.
        params = tuple(chunk + [""] * (TERMS_PER_QUERY - len(chunk)))
        for term, story_id in connection.exec_driver_sql(statement, params):
            found.setdefault(term, []).append(story_id)
    return found


TERMS_PER_QUERY = 64          # SQLite caps compound SELECTs at 500


@lru_cache(maxsize=8)
def _postings_sql(per_term: int, placeholder: str) -> str:
    """The newest `per_term` index entries of each of TERMS_PER_QUERY terms: one index
    range scan per term, in one statement. Plain SQL sent to the driver: this runs for
    thousands of terms per stored group, and SQLAlchemy's per-statement and per-row
    processing cost more than the scans."""
    # Only a placeholder and an integer are formatted in: no value reaches the text.
    part = ("SELECT * FROM (SELECT term, story_id FROM story_terms WHERE term = "  # noqa: S608
            f"{placeholder} ORDER BY story_id DESC LIMIT {int(per_term)}) AS p{{n}}")
    return " UNION ALL ".join(part.format(n=n) for n in range(TERMS_PER_QUERY))


def open_among(session: Session, story_ids: Iterable[int], *,
               active_since: datetime) -> set[int]:
    """The open stories among `story_ids` that gained an article since `active_since`:
    their ids alone (a narrow read of the thousands of index hits a batch makes; the
    documents of the few an article may join are read by open_stories)."""
    ids = sorted(set(story_ids))
    connection = session.connection()
    statement = _open_among_sql(_placeholder(connection))
    since = _bound_time(connection, active_since)
    found: set[int] = set()
    for start in range(0, len(ids), IDS_PER_QUERY):
        chunk = ids[start:start + IDS_PER_QUERY]
        # Padded with 0 (no story has it): one statement, prepared once.
        params = (*chunk, *[0] * (IDS_PER_QUERY - len(chunk)), since)
        found.update(story_id for (story_id,) in connection.exec_driver_sql(statement, params))
    return found


IDS_PER_QUERY = 500


@lru_cache(maxsize=4)
def _open_among_sql(placeholder: str) -> str:
    """open_among's query, sent straight to the driver like _postings_sql (SQLAlchemy's
    per-statement processing of 500 bound ids cost more than the lookups)."""
    marks = ", ".join([placeholder] * IDS_PER_QUERY)
    # Only placeholders are formatted in: no value reaches the text.
    return (f"SELECT id FROM stories WHERE id IN ({marks}) AND is_open "  # noqa: S608
            f"AND last_published_at >= {placeholder}")


def _bound_time(connection: Connection, moment: datetime) -> Any:
    """A time as the driver takes it for a UTCDateTime column (SQLite: naive UTC text)."""
    process = Story.__table__.c.last_published_at.type.bind_processor(connection.dialect)
    return process(moment) if process is not None else moment


def open_stories(session: Session, story_ids: Iterable[int], *,
                 active_since: datetime, lock: bool = False) -> list[OpenStory]:
    """The open stories among `story_ids` that gained an article since `active_since`;
    with `lock`, locked until this transaction ends and read as the last commit left
    them (see lock_stories)."""
    return list(_read_stories(session, story_ids, Story.is_open.is_(True),
                              Story.last_published_at >= active_since, lock=lock))


def _read_stories(session: Session, story_ids: Iterable[int], *conditions: Any,
                  lock: bool) -> Iterator[OpenStory]:
    """The stories among `story_ids` that meet `conditions`, 500 ids per query; with
    `lock`, locked in id order until this transaction ends (see lock_stories)."""
    ids = sorted(set(story_ids))
    for start in range(0, len(ids), 500):
        statement = select(*_OPEN_STORY_COLUMNS).where(Story.id.in_(ids[start:start + 500]),
                                                       *conditions)
        if lock:
            statement = statement.order_by(Story.id).with_for_update(key_share=True)
        yield from (_open_story(row) for row in session.execute(statement))


_OPEN_STORY_COLUMNS = (Story.id, Story.lead_article_id, Story.title, Story.section_id,
                       Story.last_published_at, Story.centroid, Story.lead_terms,
                       Story.is_open)


def _open_story(row: Any) -> OpenStory:
    return OpenStory(row.id, row.lead_article_id, row.title, row.section_id,
                     row.last_published_at, _document(row.centroid), _document(row.lead_terms),
                     bool(row.is_open))


DOCUMENTS_KEPT = 2048
_documents: dict[str, dict[str, Any]] = {}      # text → parse, least recently used first
_documents_lock = threading.Lock()


def _document(text: str) -> dict[str, Any]:
    """A story's stored JSON document, parsed once per process while its text stays the
    same: polls read the same open stories again and again (a first pass of 9,000 real
    headlines reads 655 stories 5,492 times), and decoding was most of that read. The
    documents this process writes are remembered as written (`document_text`), so the
    next poll's read of a story it changed parses nothing. Bounded: DOCUMENTS_KEPT
    documents, about 10 MB at most."""
    with _documents_lock:
        found = _documents.pop(text, None)
        if found is not None:
            _documents[text] = found                # the most recently used again
            return found
    found = cast(dict[str, Any], json.loads(text))
    _remember(text, found)
    return found


def _remember(text: str, document: dict[str, Any]) -> None:
    with _documents_lock:
        _documents[text] = document
        while len(_documents) > DOCUMENTS_KEPT:
            del _documents[next(iter(_documents))]


# One encoder for every document: json.dumps with `separators` builds a new one per call.
_COMPACT = json.JSONEncoder(separators=(",", ":"))


def document_text(document: dict[str, Any]) -> str:
    """A story document as stored (compact JSON; `_document` reads it back). The document
    itself is what a read of this text then returns: the caller hands it over and never
    changes it (StoryShape makes a new one per write). JSON gives back exactly what these
    documents hold (str keys; floats, ints, bools, lists of str, flat dicts of them)."""
    text = _COMPACT.encode(document)
    _remember(text, document)
    return text


# The columns of a new story, in the order `insert_stories` takes its values.
NEW_STORY_COLUMNS = ("title", "section_id", "first_published_at", "last_published_at",
                     "article_count", "source_count", "is_open", "created_at", "centroid",
                     "lead_terms")


def insert_stories(session: Session, rows: Sequence[Sequence[Any]]) -> list[int]:
    """Insert new stories (each row's values in NEW_STORY_COLUMNS' order) and return their
    ids, in the rows' order. A first poll starts thousands: on SQLite they go to the
    driver's executemany, and the ids are the run that ends at the connection's last
    insert (the write lock is held from the first row on, so no other writer takes an id
    in between; AUTOINCREMENT counts on from the highest id ever, so the run has no gap,
    and a count of the run checks that). SQLAlchemy's RETURNING sent each row as its
    own statement there, to keep the ids in order. Elsewhere one RETURNING statement
    keeps them in order itself."""
    if not rows:
        return []
    connection = session.connection()
    table = cast(Table, Story.__table__)
    dialect = connection.dialect
    if dialect.name != "sqlite":
        return list(connection.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True),
            [dict(zip(NEW_STORY_COLUMNS, row, strict=True)) for row in rows]).scalars())
    processors = _bind_processors(dialect)
    bound = [tuple(value if process is None else process(value)
                   for value, process in zip(row, processors, strict=True)) for row in rows]
    connection.exec_driver_sql(_new_story_sql(), bound)
    last = int(connection.exec_driver_sql("SELECT last_insert_rowid()").scalar_one())
    first = last - len(rows) + 1
    found = connection.exec_driver_sql("SELECT count(*) FROM stories WHERE id BETWEEN ? AND ?",
                                       (first, last)).scalar_one()
    if found != len(rows):
        raise RuntimeError(f"new stories' ids are not one run: {found} of {len(rows)} "
                           f"in {first}..{last}")
    return list(range(first, last + 1))


@lru_cache(maxsize=1)
def _new_story_sql() -> str:
    marks = ", ".join(["?"] * len(NEW_STORY_COLUMNS))
    return f"INSERT INTO stories ({', '.join(NEW_STORY_COLUMNS)}) VALUES ({marks})"  # noqa: S608


@lru_cache(maxsize=4)
def _bind_processors(dialect: Any) -> tuple[Any, ...]:
    """Each new story column's bind processor (times, booleans) on this dialect, or None."""
    table = cast(Table, Story.__table__)
    return tuple(table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
                 for name in NEW_STORY_COLUMNS)


def save_shapes(session: Session, shapes: Mapping[int, tuple[dict[str, Any], dict[str, Any],
                                                                int | None, str,
                                                                int | None]]) -> None:
    """Write each story's centroid, lead vector, lead article, title and section
    ({story id: (centroid, lead terms, lead article id, title, section id)})."""
    if not shapes:
        return
    table = cast(Table, Story.__table__)
    session.connection().execute(
        update(table).where(table.c.id == bindparam("story_id")).values(
            centroid=bindparam("centroid_json"), lead_terms=bindparam("lead_json"),
            lead_article_id=bindparam("lead_id"), title=bindparam("lead_title"),
            section_id=bindparam("lead_section")),
        [{"story_id": story_id, "centroid_json": document_text(centroid),
          "lead_json": document_text(lead), "lead_id": lead_id,
          "lead_title": title, "lead_section": section_id}
         for story_id, (centroid, lead, lead_id, title, section_id) in shapes.items()])


def save_leads(session: Session, leads: Mapping[int, int | None]) -> None:
    """Set the lead article of stories ({story id: article id}): those a poll started,
    thousands in a first poll, so straight to the driver's executemany (plain integers:
    nothing for SQLAlchemy to process)."""
    if leads:
        connection = session.connection()
        mark = _placeholder(connection)
        connection.exec_driver_sql(
            f"UPDATE stories SET lead_article_id = {mark} WHERE id = {mark}",  # noqa: S608
            [(lead_id, story_id) for story_id, lead_id in sorted(leads.items())])


def add_terms(session: Session, pairs: Iterable[tuple[str, int]]) -> None:
    """Index stories under terms ({(term, story id)}); existing pairs are kept."""
    rows = sorted({(term[:TERM_MAX], story_id) for term, story_id in pairs})
    if not rows:
        return
    # Straight to the driver's executemany: many small rows per poll, and SQLAlchemy's
    # per-row parameter processing cost more than the inserts themselves.
    connection = session.connection()
    mark = _placeholder(connection)
    connection.exec_driver_sql(
        f"INSERT INTO story_terms (term, story_id) VALUES ({mark}, {mark}) "  # noqa: S608
        "ON CONFLICT DO NOTHING", rows)


def _placeholder(connection: Connection) -> str:
    """The driver's positional parameter mark, for SQL sent straight to it (a fixed
    mark: no value is ever formatted into the text)."""
    return "?" if connection.dialect.paramstyle == "qmark" else "%s"   # SQLite; psycopg


def refresh_counts(session: Session, story_ids: Iterable[int]) -> None:
    """Recount members, distinct sources and first/last publication from the articles
    themselves: correct whatever ran concurrently. A story left without articles is
    deleted (its links then answer 404)."""

    ids = sorted(set(story_ids))
    table = cast(Table, Story.__table__)
    for start in range(0, len(ids), 500):
        batch = ids[start:start + 500]
        rows = session.execute(
            select(Article.story_id, func.count(), func.count(Article.source_id.distinct()),
                   func.min(Article.published_at), func.max(Article.published_at))
            .where(Article.story_id.in_(batch)).group_by(Article.story_id)).all()
        if rows:
            session.connection().execute(
                update(table).where(table.c.id == bindparam("story_id")).values(
                    article_count=bindparam("members"), source_count=bindparam("outlets"),
                    first_published_at=bindparam("first"),
                    last_published_at=bindparam("last")),
                [{"story_id": story_id, "members": members, "outlets": outlets,
                  "first": first, "last": last}
                 for story_id, members, outlets, first, last in rows])
        empty = set(batch) - {row[0] for row in rows}
        if empty:
            session.execute(delete(Story).where(Story.id.in_(sorted(empty)),
                                                Story.merged_into_id.is_(None)))


def writes_interleave(session: Session) -> bool:
    """Whether another transaction can write between this one's reads and its commit
    (PostgreSQL). SQLite's write transactions take the write lock when they begin
    (models/db.py), so what one reads stays true until it commits."""
    return session.get_bind().dialect.name != "sqlite"


def lock_stories(session: Session, story_ids: Iterable[int]) -> dict[int, OpenStory]:
    """Lock the stories' rows in id order (two polls locking overlapping sets never
    deadlock) until this transaction ends, and read them as the last commit left them.
    FOR NO KEY UPDATE: an article inserted or moved into a story holds a key-share lock
    on it (the foreign key), which this must not wait for. On SQLite a plain read: the
    write transaction holds the database's one write lock already. Closed and merged
    stories are read too (`is_open` says which)."""
    return {row.id: row for row in _read_stories(session, story_ids, lock=True)}


# --- maintenance ------------------------------------------------------------------------

def close_stale(session: Session, *, quiet_since: datetime, now: datetime) -> int:
    """Close open stories with no article since `quiet_since` and drop their index
    entries; returns how many were closed."""
    stale = list(session.scalars(select(Story.id).where(
        Story.is_open.is_(True), Story.last_published_at < quiet_since).limit(5000)))
    if not stale:
        return 0
    session.execute(delete(StoryTerm).where(StoryTerm.story_id.in_(stale)))
    session.execute(update(Story).where(Story.id.in_(stale))
                    .values(is_open=False, closed_at=now))
    return len(stale)


def delete_emptied(session: Session, *, limit: int = 500) -> int:
    """Delete closed stories that no article belongs to any more (retention removed
    them); stories merged into another keep their row for the redirect."""

    empty = list(session.scalars(
        select(Story.id).where(Story.is_open.is_(False), Story.merged_into_id.is_(None),
                               ~select(Article.id).where(Article.story_id == Story.id)
                               .exists()).limit(limit)))
    if empty:
        session.execute(delete(Story).where(Story.id.in_(empty)))
    return len(empty)


def recent_open(session: Session, *, active_since: datetime, limit: int,
                lock: bool = False) -> list[OpenStory]:
    ids = list(session.scalars(select(Story.id).where(
        Story.is_open.is_(True), Story.last_published_at >= active_since)
        .order_by(Story.last_published_at.desc()).limit(limit)))
    return open_stories(session, ids, active_since=active_since, lock=lock)


def first_published(session: Session, story_ids: Sequence[int]) -> dict[int, datetime]:
    """{story id: when its first article was published}."""
    began: dict[int, datetime] = {}
    for start in range(0, len(story_ids), 500):
        began.update(session.execute(select(Story.id, Story.first_published_at).where(
            Story.id.in_(story_ids[start:start + 500]))).tuples().all())
    return began


def move_strays(session: Session, *, merged_since: datetime) -> None:
    """Articles that joined a story while the maintenance merge moved its coverage away
    (a poll on PostgreSQL that read the story open and committed after the merge) follow
    it into the story it was merged into."""
    strays = {row.id: row.merged_into_id for row in session.execute(
        select(Story.id, Story.merged_into_id).where(
            Story.is_open.is_(False), Story.last_published_at >= merged_since,
            Story.merged_into_id.is_not(None), Story.article_count > 0))}
    targets = set()
    for stray_id, merged_into_id in strays.items():
        target = _coverage_now(session, merged_into_id, seen={stray_id})
        if target is not None:
            session.execute(update(Article).where(Article.story_id == stray_id)
                            .values(story_id=target))
            targets.add(target)
    if strays:
        session.execute(update(Story).where(Story.id.in_(strays))
                        .values(article_count=0, source_count=0))
        refresh_counts(session, targets)


def _coverage_now(session: Session, story_id: int, *, seen: set[int]) -> int | None:
    """The story that holds a story's coverage now: itself, or where it was merged (again);
    None if that story is gone or the merges loop."""
    while story_id not in seen:
        seen.add(story_id)
        row = session.execute(select(Story.merged_into_id).where(Story.id == story_id)).first()
        if row is None:
            return None
        if row.merged_into_id is None:
            return story_id
        story_id = row.merged_into_id
    return None


def merge_into(session: Session, absorbed_id: int, kept_id: int, *, now: datetime) -> None:
    """Move every article of one story into another; the absorbed story is closed and
    remembers where its coverage went (its links redirect)."""

    session.execute(update(Article).where(Article.story_id == absorbed_id)
                    .values(story_id=kept_id))
    terms = list(session.scalars(select(StoryTerm.term)
                                 .where(StoryTerm.story_id == absorbed_id)))
    session.execute(delete(StoryTerm).where(StoryTerm.story_id == absorbed_id))
    add_terms(session, ((term, kept_id) for term in terms))
    session.execute(update(Story).where(Story.id == absorbed_id).values(
        is_open=False, closed_at=now, merged_into_id=kept_id, article_count=0,
        source_count=0))


@dataclass(frozen=True)
class ArticleText:
    id: int
    title: str
    summary: str
    source_id: int
    section_id: int | None
    published_at: datetime
    story_id: int | None


def articles_published_since(session: Session, since: datetime) -> list[ArticleText]:
    """What re-clustering reads of each article published since `since`, oldest first."""

    rows = session.execute(
        select(Article.id, Article.title, Article.summary, Article.source_id,
               Article.section_id, Article.published_at, Article.story_id)
        .where(Article.published_at >= since)
        .order_by(Article.published_at, Article.id))
    return [ArticleText(*row) for row in rows]


def count_stories_since(session: Session, since: datetime) -> int:
    """How many stories the articles published since `since` are in."""
    return session.scalar(select(func.count(distinct(Article.story_id)))
                          .where(Article.published_at >= since)) or 0


def forget_terms(session: Session, story_ids: Iterable[int]) -> None:
    ids = sorted(set(story_ids))
    for start in range(0, len(ids), 500):
        session.execute(delete(StoryTerm).where(StoryTerm.story_id.in_(ids[start:start + 500])))


def move_articles(session: Session, story_of: Mapping[int, int]) -> None:
    """Put articles ({article id: story id}) into their stories, in one executemany."""

    if story_of:
        table = cast(Table, Article.__table__)
        session.connection().execute(
            update(table).where(table.c.id == bindparam("article_id"))
            .values(story_id=bindparam("new_story_id")),
            [{"article_id": article_id, "new_story_id": story_id}
             for article_id, story_id in story_of.items()])


# --- reading: the front page, section pages, the full-coverage page, the API -------------

# Ranking: more distinct sources, faster growth and more recent coverage rank higher.
RANK_CANDIDATES = 400
RECENCY_HALF_LIFE_HOURS = 8.0
MAX_TOP_PER_LEAD_SOURCE = 2          # of the top ten, per lead source
TOP = 10


@dataclass(frozen=True)
class StoryCard:
    """A story as a page shows it: the lead article, a few other outlets' versions, and
    the members whose picture the card may show when the lead has none (`pictured`)."""

    story: Story
    lead: Any                       # models.articles.Article
    others: list[Any]               # other outlets' articles, one per source
    pictured: list[Any] = field(default_factory=list)   # members with an image, best first

    @property
    def source_count(self) -> int:
        return self.story.source_count


def story_score(story: Story, *, now: datetime) -> float:
    """Distinct sources (diminishing), growth (articles per hour of coverage, capped)
    and recency (halving every RECENCY_HALF_LIFE_HOURS since the last article)."""
    import math

    hours_covered = max((story.last_published_at - story.first_published_at)
                        .total_seconds() / 3600, 1.0)
    growth = min(story.article_count / hours_covered, 4.0)
    age_hours = max((now - story.last_published_at).total_seconds() / 3600, 0.0)
    recency = 0.5 ** (age_hours / RECENCY_HALF_LIFE_HOURS)
    return float((1.0 + 2.0 * math.log2(story.source_count + 1) + 0.5 * growth) * recency)


def diversify(ranked: Sequence[StoryCard], *, top: int = TOP,
              per_source: int = MAX_TOP_PER_LEAD_SOURCE) -> list[StoryCard]:
    """Reorder so that no lead source leads more than `per_source` of the first `top`
    stories, no section fills more than half of them and no lead headline shows twice
    among them (copies of one headline beyond a story's cap, MAX_STORY_ARTICLES, fill
    stories of their own: a flood of one headline took five of the top ten); the stories
    held back follow in their ranked order (nothing is dropped)."""
    chosen: list[StoryCard] = []
    held: list[StoryCard] = []
    by_source: dict[int, int] = {}
    by_section: dict[int | None, int] = {}
    headlines: set[str] = set()
    section_cap = max(1, top // 2)
    for card in ranked:
        if len(chosen) >= top:
            held.append(card)
            continue
        source_id = card.lead.source_id
        section_id = card.story.section_id
        headline = copy_key(card.lead.title)
        if by_source.get(source_id, 0) >= per_source or headline in headlines or \
                (section_id is not None and by_section.get(section_id, 0) >= section_cap):
            held.append(card)
            continue
        headlines.add(headline)
        by_source[source_id] = by_source.get(source_id, 0) + 1
        by_section[section_id] = by_section.get(section_id, 0) + 1
        chosen.append(card)
    return chosen + held


def ranked_cards(session: Session, *, now: datetime,
                 section_ids: Sequence[int] | None = None) -> list[StoryCard]:
    """The RANK_CANDIDATES most recently active stories, ranked (story_score: recency
    decays old ones) and diversified as on the home page."""
    query = select(Story.id).where(Story.merged_into_id.is_(None), Story.article_count > 0)
    if section_ids is not None:
        query = query.where(Story.section_id.in_(list(section_ids) or [-1]))
    ids = list(session.scalars(query.order_by(Story.last_published_at.desc(), Story.id.desc())
                               .limit(RANK_CANDIDATES)))
    cards = cards_for(session, ids)
    cards.sort(key=lambda card: (-story_score(card.story, now=now), -card.story.id))
    return diversify(cards)


def latest_cards(session: Session, *, section_ids: Sequence[int] | None = None,
                 excluding: Collection[int] = (), known: Mapping[int, StoryCard] | None = None,
                 limit: int, offset: int = 0) -> list[StoryCard]:
    """Stories, most recently updated first: a section's (section pages), or every
    section's (the home page's latest news), leaving out `excluding` (the stories the
    page shows above the list, so that its pages follow on without a gap). Cards the
    page has read already (`known`: the home page ranked the most recent stories) are
    not read again."""
    query = select(Story.id).where(Story.merged_into_id.is_(None), Story.article_count > 0)
    if section_ids is not None:
        query = query.where(Story.section_id.in_(list(section_ids) or [-1]))
    if excluding:
        query = query.where(Story.id.not_in(sorted(excluding)))
    ids = list(session.scalars(query.order_by(Story.last_published_at.desc(), Story.id.desc())
                               .limit(limit).offset(offset)))
    known = known or {}
    read = {card.story.id: card for card in cards_for(
        session, [story_id for story_id in ids if story_id not in known])}
    return [card for card in (known.get(story_id) or read.get(story_id) for story_id in ids)
            if card is not None]


OTHER_OUTLETS = 3
MEMBERS_READ = 30


def cards_for(session: Session, story_ids: Sequence[int]) -> list[StoryCard]:
    """Cards for the stories, in the given order, in three statements whatever their
    number: the stories, their first MEMBERS_READ members each in publication order (the
    outlets that broke it: `other_outlets` names each source by its earliest article),
    and those articles with the leads."""

    if not story_ids:
        return []
    stories = {story.id: story for story in session.scalars(
        select(Story).where(Story.id.in_(list(story_ids))))}
    position = func.row_number().over(partition_by=Article.story_id,
                                      order_by=(Article.published_at.asc(), Article.id.asc()))
    members = select(Article.id, Article.story_id, position.label("position")).where(
        Article.story_id.in_(list(story_ids))).subquery()
    member_ids = list(session.scalars(select(members.c.id)
                                      .where(members.c.position <= MEMBERS_READ)))
    leads = [story.lead_article_id for story in stories.values() if story.lead_article_id]
    articles = {article.id: article for article in session.scalars(
        select(Article).where(Article.id.in_(member_ids + leads)).options(*card_options()))}
    by_story: dict[int, list[Any]] = {}
    for article in sorted(articles.values(), key=lambda item: (item.published_at, item.id)):
        by_story.setdefault(article.story_id, []).append(article)
    cards = []
    for story_id in story_ids:
        story = stories.get(story_id)
        members_of = by_story.get(story_id, [])
        if story is None or not members_of:
            continue
        lead = articles.get(story.lead_article_id or -1)
        if lead is None or lead.story_id != story_id:
            lead = members_of[0]
        cards.append(StoryCard(story, lead, other_outlets(members_of, lead),
                               with_pictures(members_of, lead)))
    return cards


def with_pictures(members: Sequence[Any], lead: Any) -> list[Any]:
    """The other members read (`cards_for`: a story's first MEMBERS_READ) that carry a
    live-looking image, newest first: a story's lead
    often comes from an outlet whose feed has no pictures while the rest of the coverage
    has them. Only the lead's centrality is known (a member's own vector is not kept), so
    the newest picture stands for the story as it is now. Whether a page may load it is
    the web's call (web/media/links.py `card_picture`)."""
    return [article for article in reversed(members)
            if article is not lead and article.image_url and article.image_status != IMAGE_DEAD]


def other_outlets(members: Sequence[Any], lead: Any, *,
                  limit: int = OTHER_OUTLETS) -> list[Any]:
    """One article per other source (its earliest), skipping copies of the lead's text."""
    seen_sources = {lead.source_id}
    seen_titles = {copy_key(lead.title)}
    chosen = []
    for article in members:
        if article.source_id in seen_sources or copy_key(article.title) in seen_titles:
            continue
        seen_sources.add(article.source_id)
        seen_titles.add(copy_key(article.title))
        chosen.append(article)
        if len(chosen) >= limit:
            break
    return chosen


def copy_key(title: str) -> str:
    """Titles that differ only in case, punctuation or spacing are one wire text."""
    return " ".join("".join(char if char.isalnum() else " " for char in title.lower()).split())


@dataclass(frozen=True)
class CoverageLine:
    """One line of the full-coverage page: an article and the copies of its text."""

    article: Any
    copies: list[Any]


def coverage(session: Session, story_id: int) -> tuple[Story, list[CoverageLine]] | None:
    """A story and every member in time order, syndicated copies (same title) folded into
    the first outlet's line."""

    story = session.get(Story, story_id)
    if story is None:
        return None
    members = list(session.scalars(
        select(Article).where(Article.story_id == story_id).options(*card_options())
        .order_by(Article.published_at.asc(), Article.id.asc())))
    lines: list[CoverageLine] = []
    by_text: dict[str, CoverageLine] = {}
    for article in members:
        line = by_text.get(copy_key(article.title))
        if line is not None:
            line.copies.append(article)
            continue
        line = CoverageLine(article, [])
        by_text[copy_key(article.title)] = line
        lines.append(line)
    return story, lines


def member_ids(session: Session, story_ids: Sequence[int]) -> dict[int, list[int]]:
    """Each story's article ids, oldest first."""
    found: dict[int, list[int]] = {story_id: [] for story_id in story_ids}
    if story_ids:
        for article_id, story_id in session.execute(
                select(Article.id, Article.story_id).where(Article.story_id.in_(list(story_ids)))
                .order_by(Article.published_at.asc(), Article.id.asc())):
            found[story_id].append(article_id)
    return found


def with_articles(session: Session, story_id: int) -> tuple[Story, list[Any]] | None:
    """A story and all its articles (source, section, tags loaded), oldest first."""
    story = session.get(Story, story_id)
    if story is None:
        return None
    members = list(session.scalars(
        select(Article).where(Article.story_id == story_id)
        .options(joinedload(Article.source), joinedload(Article.section),
                 selectinload(Article.tags))
        .order_by(Article.published_at.asc(), Article.id.asc())))
    return story, members


ALSO_COVERED = 8


def also_covered(session: Session, article: Article, *, limit: int = ALSO_COVERED
                 ) -> list[Article]:
    """Other outlets' versions of this article's story: one per source, earliest first,
    copies of this article's own text left out."""
    members = load_cards(session, select(Article.id).where(
        Article.story_id == article.story_id, Article.id != article.id)
        .order_by(Article.published_at.asc(), Article.id.asc()).limit(4 * MEMBERS_READ),
        order=(Article.published_at.asc(), Article.id.asc()))
    return other_outlets(members, article, limit=limit)
