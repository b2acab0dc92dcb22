"""Articles: what ingest stores and readers read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import (
    CompoundSelect,
    ForeignKey,
    Index,
    Select,
    String,
    Table,
    Text,
    bindparam,
    func,
    literal,
    select,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.orm import (
    Mapped,
    Session,
    joinedload,
    load_only,
    mapped_column,
    relationship,
    selectinload,
)

from hopper.widths import NAME_MAX, URL_MAX
from models.base import NEVER_REUSE_IDS, Base, UTCDateTime, utcnow
from models.permalinks import slugify
from models.sections import Section
from models.sources import Source
from models.tags import Tag, article_tags


def _story_of_its_own(context: Any) -> int:
    """An article inserted without a story (imports, tests, benchmarks) starts one of
    its own: every article belongs to exactly one story. Ingest always names one."""
    params = context.get_current_parameters()
    published_at = params.get("published_at") or utcnow()
    stories = Base.metadata.tables["stories"]   # models.stories reads articles, not back
    return int(context.connection.execute(
        stories.insert().values(
            title=params.get("title") or "", section_id=params.get("section_id"),
            first_published_at=published_at, last_published_at=published_at,
            article_count=1, source_count=1, is_open=True, centroid="{}", lead_terms="{}",
            created_at=utcnow())
        .returning(stories.c.id)).scalar_one())


class Article(Base):
    __tablename__ = "articles"
    __table_args__ = (
        # An article is unique per source by its entry key (docs/architecture.md, "Data
        # rules"). The key itself may be a long URL, so uniqueness rests on its SHA-256
        # (fits any btree).
        Index("uq_articles_source_id_entry_hash", "source_id", "entry_hash", unique=True),
        Index("ix_articles_section_published", "section_id", "published_at"),
        Index("ix_articles_source_published", "source_id", "published_at"),
        Index("ix_articles_video_published", "is_video", "published_at"),
        # "Most read" ranks the last 48 hours by views from this index alone.
        Index("ix_articles_published_views", "published_at", "view_count"),
        # A story's members by publication; with their sources, its recount of members
        # and outlets reads this index alone (models/stories.py refresh_counts).
        Index("ix_articles_story_published_source", "story_id", "published_at", "source_id"),
        # Newest first, ties by id, read from the index alone: the API's pages and the
        # rivers skip their OFFSET's rows in it, not in the table.
        Index("ix_articles_published_id", "published_at", "id"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    entry_key: Mapped[str] = mapped_column(Text)
    entry_hash: Mapped[str] = mapped_column(String(64))
    url: Mapped[str | None] = mapped_column(String(URL_MAX))
    title: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str | None] = mapped_column(String(NAME_MAX))
    summary: Mapped[str] = mapped_column(Text, default="")
    content_html: Mapped[str] = mapped_column(Text, default="")
    content_hash: Mapped[str] = mapped_column(String(64))
    # The article page's main text (sanitised), fetched for summary-only feeds.
    full_text_html: Mapped[str | None] = mapped_column(Text)
    image_url: Mapped[str | None] = mapped_column(String(URL_MAX))
    image_alt: Mapped[str | None] = mapped_column(String(500))
    # The text printed under the lead image (its figcaption, media:description beside a
    # media:title, the credit): image_alt is what the picture shows, read out instead.
    image_caption: Mapped[str | None] = mapped_column(String(500))
    # The background check of the lead image (workers/images.py): None until checked,
    # then "ok" or "dead" (failed, not an image, or tiny: cards render text-first).
    image_status: Mapped[str | None] = mapped_column(String(8))
    image_checked_at: Mapped[datetime | None]
    image_width: Mapped[int | None]
    image_height: Mapped[int | None]
    video_url: Mapped[str | None] = mapped_column(String(URL_MAX))
    video_embed_url: Mapped[str | None] = mapped_column(String(URL_MAX))
    is_video: Mapped[bool] = mapped_column(default=False)
    section_id: Mapped[int | None] = mapped_column(
        ForeignKey("sections.id", ondelete="SET NULL"))
    published_at: Mapped[datetime]
    # When the publisher last changed the entry (feed's updated date), if it says.
    updated_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When Hopper last rewrote the row because its content hash changed (not when only
    # its lead image's alt text or caption did: models/article_writes.py).
    modified_at: Mapped[datetime] = mapped_column(default=utcnow)
    view_count: Mapped[int] = mapped_column(default=0)
    share_count: Mapped[int] = mapped_column(default=0)
    comment_count: Mapped[int] = mapped_column(default=0)
    # Never NULL once written: ingest names the story, any other insert gets a story of
    # its own from the default. (The column stays nullable in the schema: making it NOT
    # NULL on SQLite means rebuilding `articles`, whose foreign keys cascade.)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id"), nullable=True,
                                          default=_story_of_its_own)

    source: Mapped[Source] = relationship()
    section: Mapped[Section | None] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary=article_tags, order_by=Tag.name)

    @property
    def slug(self) -> str:
        return slugify(self.title)

    # What the source's republishing rights let readers see (DESIGN: stories and rights).
    # Every page, feed, API answer and search snippet reads these, never the raw columns.
    @property
    def shown_summary(self) -> str:
        return self.summary if self.source.may_show_summary else ""

    @property
    def shown_body_html(self) -> str:
        if not self.source.may_show_body:
            return ""
        return self.full_text_html or self.content_html

    @property
    def changed_at(self) -> datetime | None:
        """When the story last changed after it was published: the publisher's updated
        date if it gives one, else when Hopper stored changed content; None if never."""
        if self.updated_at is not None and self.updated_at > self.published_at:
            return self.updated_at
        if self.modified_at and self.created_at and \
                self.modified_at - self.created_at > REWRITE_GRACE:
            return self.modified_at
        return None


# created_at and modified_at are both "now" at insert; only a later rewrite is a change.
REWRITE_GRACE = timedelta(minutes=1)


# ---------------------------------------------------------------------------------------
# Reader queries (the magazine pages). Every function issues a fixed number of
# statements whatever the number of articles: lists load their source and section in the
# same statement, and per-section lists are unions of small index-ordered scans.
# ---------------------------------------------------------------------------------------

def _newest_first(query: Select[*tuple[Any, ...]]) -> Select[*tuple[Any, ...]]:
    return query.order_by(Article.published_at.desc(), Article.id.desc())


# What a card shows; the body and bookkeeping columns stay in the database.
CARD_COLUMNS = (Article.id, Article.source_id, Article.section_id, Article.url, Article.title,
                Article.summary, Article.image_url, Article.image_alt, Article.image_status,
                Article.image_width, Article.image_height, Article.video_url,
                Article.video_embed_url, Article.is_video, Article.published_at,
                Article.updated_at, Article.view_count, Article.story_id,
                Article.share_count)


def card_options() -> tuple[Any, ...]:
    return (load_only(*CARD_COLUMNS), joinedload(Article.source), joinedload(Article.section))


def load_cards(session: Session, chosen: Select[Any], *,
               order: Sequence[Any] | None = None) -> list[Article]:
    """Load the cards of the articles `chosen` selects (ids, ordered and limited).

    Choosing ids first keeps sorting and limiting on the narrow index-backed query;
    SQLite would otherwise join sources and sections to every candidate row before it
    sorts."""
    ids = chosen.subquery()
    query = select(Article).join(ids, ids.c.id == Article.id).options(*card_options())
    return list(session.scalars(query.order_by(*(order or _NEWEST_FIRST))))


_NEWEST_FIRST = (Article.published_at.desc(), Article.id.desc())


def latest(session: Session, *, section_ids: Sequence[int] | None = None,
           limit: int, offset: int = 0) -> list[Article]:
    """The newest articles, everywhere or in the given sections."""
    if section_ids is not None and len(section_ids) != 1:
        return _latest_in_sections(session, tuple(section_ids), limit=limit, offset=offset)
    chosen = select(Article.id)
    if section_ids is not None:
        chosen = chosen.where(Article.section_id == section_ids[0])
    return load_cards(session, _newest_first(chosen).limit(limit).offset(offset))


def _latest_in_sections(session: Session, section_ids: tuple[int, ...], *,
                        limit: int, offset: int) -> list[Article]:
    # `section_id IN (…) ORDER BY published_at` would sort every article of the sections;
    # a union of per-section scans of (section_id, published_at) reads at most
    # offset + limit rows from each section instead.
    if not section_ids:
        return []
    newest = _newest_ids(section_ids, section_ids, offset + limit).subquery()
    chosen = (select(newest.c.id).order_by(newest.c.published_at.desc(), newest.c.id.desc())
              .limit(limit).offset(offset))
    return load_cards(session, chosen)


@lru_cache(maxsize=256)
def _newest_ids(section_ids: tuple[int, ...], labels: tuple[int, ...],
                limit: int) -> CompoundSelect[int, datetime, int]:
    """(id, published_at, block) of the newest `limit` articles of each section.
    Cached: building a union of many subqueries costs more than running it."""
    parts = []
    for section_id, label in zip(section_ids, labels, strict=True):
        scan = _newest_first(
            select(Article.id, Article.published_at, literal(label).label("block"))
            .where(Article.section_id == section_id)).limit(limit).subquery()
        parts.append(select(scan.c.id, scan.c.published_at, scan.c.block))
    return union_all(*parts)


@lru_cache(maxsize=64)
def _per_block_query(section_ids: tuple[int, ...], labels: tuple[int, ...],
                     per_block: int) -> Select[Any]:
    newest = _newest_ids(section_ids, labels, per_block).subquery()
    return (select(Article, newest.c.block).join(newest, newest.c.id == Article.id)
            .options(*card_options()).order_by(*_NEWEST_FIRST))


def latest_per_block(session: Session, blocks: Mapping[int, Sequence[int]], *,
                     per_block: int) -> dict[int, list[Article]]:
    """The newest `per_block` articles of each block (a block = a section id and the
    ids of its subtree), in one statement."""
    section_ids: list[int] = []
    labels: list[int] = []
    for block_id, ids in blocks.items():
        section_ids.extend(ids)
        labels.extend([block_id] * len(ids))
    result: dict[int, list[Article]] = {block_id: [] for block_id in blocks}
    if not section_ids:
        return result
    rows = session.execute(_per_block_query(tuple(section_ids), tuple(labels), per_block))
    for article, block_id in rows.unique():
        if len(result[block_id]) < per_block:
            result[block_id].append(article)
    return result


def tagged(session: Session, tag_id: int, *, limit: int, offset: int = 0) -> list[Article]:
    chosen = (select(Article.id).join(article_tags, article_tags.c.article_id == Article.id)
              .where(article_tags.c.tag_id == tag_id))
    return load_cards(session, _newest_first(chosen).limit(limit).offset(offset))


def from_source(session: Session, source_id: int, *, limit: int,
                offset: int = 0) -> list[Article]:
    chosen = select(Article.id).where(Article.source_id == source_id)
    return load_cards(session, _newest_first(chosen).limit(limit).offset(offset))


def with_video(session: Session, *, limit: int, offset: int = 0) -> list[Article]:
    chosen = select(Article.id).where(Article.is_video.is_(True))
    return load_cards(session, _newest_first(chosen).limit(limit).offset(offset))


def most_read(session: Session, *, since: datetime, limit: int) -> list[Article]:
    """The most viewed articles published since `since` (the home page's last 48 hours)."""
    by_views = (Article.view_count.desc(), Article.published_at.desc(), Article.id.desc())
    chosen = (select(Article.id).where(Article.published_at >= since, Article.view_count > 0)
              .order_by(*by_views).limit(limit))
    return load_cards(session, chosen, order=by_views)


def for_reading(session: Session, article_id: int) -> Article | None:
    """One article with everything its page shows (source, section, tags)."""
    return session.scalar(
        select(Article).where(Article.id == article_id)
        .options(joinedload(Article.source), joinedload(Article.section),
                 selectinload(Article.tags)))


def neighbours(session: Session, article: Article) -> tuple[Article | None, Article | None]:
    """(older, newer): the articles just before and after this one in its section."""
    if article.section_id is None:
        return None, None
    here = tuple_(Article.published_at, Article.id)
    position = tuple_(literal(article.published_at, UTCDateTime()), literal(article.id))
    in_section = select(Article).where(Article.section_id == article.section_id)
    older = session.scalar(in_section.where(here < position)
                           .order_by(Article.published_at.desc(), Article.id.desc()).limit(1))
    newer = session.scalar(in_section.where(here > position)
                           .order_by(Article.published_at.asc(), Article.id.asc()).limit(1))
    return older, newer


RELATED_CANDIDATES = 300


def related(session: Session, article: Article, *, limit: int) -> list[Article]:
    """Articles sharing the most tags with this one (newer first among equals), then the
    newest of its section; one per story, and none of this article's own story (the page
    lists those under "Also covered by"). Always three statements, so the page's count
    stays fixed; each reads RELATED_SLACK times `limit`, to fill the list after that."""
    tag_ids = [tag.id for tag in article.tags] or [-1]
    # Ranked on article_tags alone, among each tag's newest RELATED_CANDIDATES articles
    # (newest by id, an index-only scan of (tag_id, article_id)): a popular tag has
    # thousands of articles, and joining or grouping all of them costs tens of ms.
    candidates = union_all(*(
        select(scan.c.article_id) for scan in (
            select(article_tags.c.article_id)
            .where(article_tags.c.tag_id == tag_id, article_tags.c.article_id != article.id)
            .order_by(article_tags.c.article_id.desc()).limit(RELATED_CANDIDATES).subquery()
            for tag_id in tag_ids))).subquery()
    shared = func.count()
    ranked = list(session.scalars(
        select(candidates.c.article_id).group_by(candidates.c.article_id)
        .order_by(shared.desc(), candidates.c.article_id.desc()).limit(limit * RELATED_SLACK)))
    loaded = {found.id: found for found in session.scalars(
        select(Article).where(Article.id.in_(ranked)).options(*card_options()))}
    by_tags = [loaded[article_id] for article_id in ranked if article_id in loaded]
    seen = {article.id, *ranked}
    by_section = load_cards(session, _newest_first(
        select(Article.id).where(Article.section_id == article.section_id,
                                 Article.id.not_in(seen))).limit(limit * RELATED_SLACK))
    return _one_per_story(by_tags + by_section, besides=article.story_id)[:limit]


RELATED_SLACK = 3


def _one_per_story(found: Sequence[Article], *, besides: int | None) -> list[Article]:
    """The first article of each story among `found`, none of story `besides`: wire
    copies of one text, or ten outlets' takes on one event, are one line."""
    shown = {besides}
    kept = []
    for candidate in found:
        if candidate.story_id is None or candidate.story_id not in shown:
            kept.append(candidate)
            shown.add(candidate.story_id)
    return kept



def add_share(session: Session, article_id: int) -> bool:
    """Count one share; False when the article does not exist."""
    result = session.execute(
        update(Article).where(Article.id == article_id)
        .values(share_count=Article.share_count + 1))
    return bool(result.rowcount)   # type: ignore[attr-defined]


def add_views(session: Session, counts: Mapping[int, int]) -> None:
    """Add counted views ({article id: views}) in one executemany."""
    if counts:
        table = cast(Table, Article.__table__)
        session.connection().execute(
            update(table).where(table.c.id == bindparam("article_id"))
            .values(view_count=table.c.view_count + bindparam("views")),
            [{"article_id": article_id, "views": views}
             for article_id, views in counts.items()])
