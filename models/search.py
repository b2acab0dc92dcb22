"""Finding articles: full-text search on two engines, and filtered listings.

One interface, two engines, chosen by the session's dialect:
- SQLite: the FTS5 table `articles_fts` (stems of title, summary, content), ranked by
  bm25 with title 10, summary 4, content 1;
- PostgreSQL: the generated `search_vector` column (english stems; title A, summary B,
  content C), ranked by ts_rank.
A prefix search (`is_prefix`, live search while typing) uses the whole-word indexes of
title and summary instead (`articles_fts_prefix`, `search_prefix_vector`), since a stem
index cannot answer "electi*". All are kept current by the database (migration
0003_search). Results come by relevance, then recency.

User input never reaches MATCH or to_tsquery as typed: it is capped, reduced to plain
word terms (letters and digits only), and each term is quoted for the engine. With
`is_prefix` every term also matches as a prefix (live search while typing).
Highlighting is done here too, escaping first and marking second, so it is HTML-safe.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from math import ceil

from markupsafe import escape
from sqlalchemy import (
    ColumnElement,
    Select,
    bindparam,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import REGCONFIG
from sqlalchemy.orm import Session, joinedload, selectinload

from models.articles import Article
from models.sections import Section
from models.tags import Tag, article_tags

MAX_QUERY_CHARS = 200
MAX_TERMS = 8
MAX_PER_PAGE = 100
SNIPPET_WORDS = 30
# Letters and digits only: quotes, operators (OR, NEAR(, *, :, &, !), SQL and markup
# fall away, so what is left can be quoted safely for either engine.
_TERM = re.compile(r"[^\W_]+")
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")

Segment = tuple[str, bool]   # a piece of text, and whether it matched a search term


@dataclass(frozen=True)
class ArticleFilters:
    section_slug: str | None = None       # the section or any of its children
    source_id: int | None = None
    tag_slug: str | None = None
    published_from: datetime | None = None    # inclusive
    published_before: datetime | None = None  # exclusive


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    filters: ArticleFilters = field(default_factory=ArticleFilters)
    page: int = 1
    per_page: int = 20
    is_prefix: bool = False

    @property
    def terms(self) -> list[str]:
        return parse_terms(self.text)


@dataclass(frozen=True)
class SearchHit:
    article: Article
    title_segments: list[Segment]
    snippet_segments: list[Segment]

    @property
    def title_html(self) -> str:
        return segments_to_html(self.title_segments)

    @property
    def snippet_html(self) -> str:
        return segments_to_html(self.snippet_segments)


@dataclass(frozen=True)
class SearchPage:
    hits: list[SearchHit]
    total: int
    page: int
    per_page: int
    terms: list[str]

    @property
    def articles(self) -> list[Article]:
        return [hit.article for hit in self.hits]

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


@dataclass(frozen=True)
class ArticlePage:
    articles: list[Article]
    total: int
    page: int
    per_page: int


def parse_terms(text: str) -> list[str]:
    """The distinct word terms of user input, lower-cased, capped in length and number."""
    terms: list[str] = []
    for term in _TERM.findall(text[:MAX_QUERY_CHARS].casefold()):
        if term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


def search_articles(session: Session, query: SearchQuery) -> SearchPage:
    """Articles matching every term, best first, then newest; empty without terms."""
    terms = query.terms
    page, per_page = _clamp_paging(query.page, query.per_page)
    if not terms:
        return SearchPage(hits=[], total=0, page=page, per_page=per_page, terms=[])
    if session.get_bind().dialect.name == "postgresql":
        matching, score_order = _postgresql_match(terms, is_prefix=query.is_prefix)
    else:
        matching, score_order = _sqlite_match(terms, is_prefix=query.is_prefix)
    matching = matching.where(*_filter_clauses(query.filters))
    total = session.scalar(select(func.count()).select_from(matching.subquery())) or 0
    ids = list(session.scalars(
        matching.order_by(score_order, Article.published_at.desc(), Article.id.desc())
        .limit(per_page).offset((page - 1) * per_page)))
    hits = [_hit(article, terms) for article in _load_in_order(session, ids)]
    return SearchPage(hits=hits, total=total, page=page, per_page=per_page, terms=terms)


def list_articles(session: Session, filters: ArticleFilters, *, page: int = 1,
                  per_page: int = 20) -> ArticlePage:
    """Articles passing the filters, newest first (three statements, whatever the page)."""
    page, per_page = _clamp_paging(page, per_page)
    clauses = _filter_clauses(filters)
    total = session.scalar(select(func.count(Article.id)).where(*clauses)) or 0
    articles = list(session.scalars(
        _with_relations(select(Article).where(*clauses))
        .order_by(Article.published_at.desc(), Article.id.desc())
        .limit(per_page).offset((page - 1) * per_page)))
    return ArticlePage(articles=articles, total=total, page=page, per_page=per_page)


def article_with_relations(session: Session, article_id: int) -> Article | None:
    return session.scalar(_with_relations(select(Article).where(Article.id == article_id)))


def _clamp_paging(page: int, per_page: int) -> tuple[int, int]:
    return max(1, page), min(max(1, per_page), MAX_PER_PAGE)


def _sqlite_match(terms: list[str], *, is_prefix: bool) -> tuple[Select[tuple[int]],
                                                                   ColumnElement[float]]:
    # FTS5 string syntax: each term is a double-quoted string (terms hold no quotes), so
    # no word of the input can act as an operator or a column filter.
    star = "*" if is_prefix else ""
    match = " ".join(f'"{term}"{star}' for term in terms)
    name = "articles_fts_prefix" if is_prefix else "articles_fts"
    fts = table(name, column("rowid"))
    fts_table = literal_column(name)
    score = func.bm25(fts_table, 10.0, 4.0, 1.0)   # lower is better
    matching = (select(Article.id).select_from(fts)
                .join(Article, Article.id == fts.c.rowid)
                .where(fts_table.op("MATCH")(bindparam("fts_match", match))))
    return matching, score.asc()


def _postgresql_match(terms: list[str], *, is_prefix: bool) -> tuple[Select[tuple[int]],
                                                                       ColumnElement[float]]:
    # A tsquery of quoted lexemes joined by & (terms hold no quotes or operators), bound
    # as a parameter; `:*` makes each a prefix.
    star = ":*" if is_prefix else ""
    text = " & ".join(f"'{term}'{star}" for term in terms)
    config = "'simple'::regconfig" if is_prefix else "'english'::regconfig"
    tsquery = func.to_tsquery(literal_column(config, REGCONFIG), bindparam("tsquery", text))
    vector = literal_column(
        "articles.search_prefix_vector" if is_prefix else "articles.search_vector")
    matching = select(Article.id).where(vector.op("@@")(tsquery))
    return matching, func.ts_rank(vector, tsquery).desc()


def _filter_clauses(filters: ArticleFilters) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if filters.section_slug:
        named = select(Section.id).where(Section.slug == filters.section_slug)
        clauses.append(Article.section_id.in_(
            select(Section.id).where(or_(Section.id.in_(named), Section.parent_id.in_(named)))))
    if filters.source_id is not None:
        clauses.append(Article.source_id == filters.source_id)
    if filters.tag_slug:
        clauses.append(Article.id.in_(
            select(article_tags.c.article_id).join(Tag, Tag.id == article_tags.c.tag_id)
            .where(Tag.slug == filters.tag_slug)))
    if filters.published_from is not None:
        clauses.append(Article.published_at >= filters.published_from)
    if filters.published_before is not None:
        clauses.append(Article.published_at < filters.published_before)
    return clauses


def _with_relations(statement: Select[tuple[Article]]) -> Select[tuple[Article]]:
    return statement.options(joinedload(Article.source), joinedload(Article.section),
                             selectinload(Article.tags))


def _load_in_order(session: Session, ids: Sequence[int]) -> list[Article]:
    if not ids:
        return []
    by_id = {article.id: article for article in session.scalars(
        _with_relations(select(Article).where(Article.id.in_(ids))))}
    return [by_id[article_id] for article_id in ids if article_id in by_id]


def _hit(article: Article, terms: list[str]) -> SearchHit:
    return SearchHit(article=article,
                     title_segments=highlight(article.title or "", terms),
                     snippet_segments=snippet(article, terms))


def highlight(text: str, terms: list[str]) -> list[Segment]:
    """Split text into pieces, marking every word that starts with a term."""
    if not terms or not text:
        return [(text, False)] if text else []
    pattern = re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(term) for term in terms) + r")\w*",
        re.IGNORECASE)
    segments: list[Segment] = []
    position = 0
    for found in pattern.finditer(text):
        if found.start() > position:
            segments.append((text[position:found.start()], False))
        segments.append((found.group(), True))
        position = found.end()
    if position < len(text):
        segments.append((text[position:], False))
    return segments


def snippet(article: Article, terms: list[str]) -> list[Segment]:
    """About thirty words of the summary (or else the body) around the first match."""
    summary = plain_text(article.summary or "")
    body = plain_text(article.content_html or "")
    text = summary
    if not _has_match(highlight(summary, terms)) and _has_match(highlight(body, terms)):
        text = body
    words = text.split(" ")
    first = next((index for index, word in enumerate(words)
                  if _has_match(highlight(word, terms))), 0)
    start = max(0, first - SNIPPET_WORDS // 3)
    excerpt = " ".join(words[start:start + SNIPPET_WORDS])
    if start > 0:
        excerpt = "… " + excerpt
    if start + SNIPPET_WORDS < len(words):
        excerpt += " …"
    return highlight(excerpt, terms)


def plain_text(markup: str) -> str:
    """Text of stored (sanitised) HTML on one line: tags dropped, entities decoded."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", markup))).strip()


def segments_to_html(segments: list[Segment]) -> str:
    """Escape every piece first, then wrap the matches: safe whatever the text holds."""
    return "".join(f"<mark>{escape(text)}</mark>" if is_match else str(escape(text))
                   for text, is_match in segments)


def _has_match(segments: list[Segment]) -> bool:
    return any(is_match for _text, is_match in segments)
