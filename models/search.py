"""Finding articles: full-text search on two engines, and filtered listings.

One interface, two engines, chosen by the session's dialect:
- SQLite: the FTS5 table `articles_fts` (stems of title, summary, body), ranked by
  bm25 with title 10, summary 4, body 1;
- PostgreSQL: the generated `search_vector` column (english stems; title A, summary B,
  body C), ranked by ts_rank.
The body indexed is the one readers see (the page's text fetched for a summary-only feed,
else the feed's body), as text: tags, attributes and entities are no words
(models/search_text.py, migration 0014).
A prefix search (`is_prefix`, live search while typing) uses the whole-word indexes of
title and summary instead (`articles_fts_prefix`, `search_prefix_vector`), since a stem
index cannot answer "electi*". All are kept current by the database (migration
0002_search). Results come by relevance, then recency.

The last word of a full search may be unfinished, as the reader typed it into the live
search a moment before: it matches as a prefix in the stem index (when it has
MIN_STEM_PREFIX letters), and when that finds nothing the full search answers what the
live search finds, so "View all results" never leads to "No results".

A match counts only in what the source's rights show readers: a `headline` source's
articles match by title, an `excerpt` source's by title and summary, a `full` source's
by everything (`_matching_what_readers_see`, checked on the window's rows), so search
never reveals which words a withheld text holds.

Names count too: a query that is the name of a tag, section or source ("NATO") also
finds the articles filed under it, whether or not their text says the word (`topics`).
A query that finds nothing is tried once more with each unknown word replaced by the
most common known word one edit away (`suggest_spelling`; the vocabulary is the newest
titles and every tag, section and source name), and the page says so ("Did you mean").

User input never reaches MATCH or to_tsquery as typed: it is capped, reduced to plain
word terms (letters and digits only), and each term is quoted for the engine (and bound
as a parameter). Highlighting stops at data: a hit's title and snippet come as
(text, is_match) segments, marked up by the template macro templates/search/_highlight.html,
where Jinja escapes every piece.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from math import ceil
from typing import Any

from sqlalchemy import (
    ColumnClause,
    ColumnElement,
    Select,
    bindparam,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import REGCONFIG
from sqlalchemy.orm import Session, joinedload, selectinload

from hopper.text import name_key
from models.articles import Article
from models.sections import Section
from models.sources import Rights, Source
from models.tags import Tag, article_tags

MAX_QUERY_CHARS = 200
MAX_TERMS = 8
MAX_PER_PAGE = 100
RANK_WINDOW = 500       # relevance is ranked (and the total counted) among the newest matches
SNIPPET_WORDS = 30
MAX_TOPICS = 5
VOCABULARY_TITLES = 2000   # the newest titles whose words spelling suggestions may use
VOCABULARY_TAGS = 5000
MIN_CORRECTED_LENGTH = 4   # shorter words have too many neighbours one edit away
# A shorter unfinished word matches too many body words to merge quickly; the prefix
# index (titles and summaries) still answers it.
MIN_STEM_PREFIX = 3
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
    # One hit per story (the best ranked), counting the other outlets that matched: the
    # search page lists events, not one event's headline from every outlet. Pages and
    # the total count stories then. The JSON API lists articles, so it leaves this off.
    is_one_per_story: bool = False

    @property
    def terms(self) -> list[str]:
        return parse_terms(self.text)


@dataclass(frozen=True)
class SearchHit:
    article: Article
    title_segments: list[Segment]
    snippet_segments: list[Segment]
    other_outlets: int = 0    # with is_one_per_story: other sources whose copy matched


@dataclass(frozen=True)
class Topic:
    """A tag, section or source whose name the reader typed."""

    kind: str        # "tag" | "section" | "source"
    id: int
    name: str
    slug: str        # tags and sections; "" for a source


@dataclass(frozen=True)
class SearchPage:
    hits: list[SearchHit]
    total: int
    page: int
    per_page: int
    terms: list[str]
    is_total_capped: bool = False   # more matches exist than the total says
    topics: list[Topic] = field(default_factory=list)
    # When the words as typed found nothing: the words searched instead.
    corrected_text: str | None = None

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
    """Articles matching every term, or filed under a tag, section or source of that
    name, best first, then newest; empty without terms. When nothing matches, the
    query is tried once more with its spelling corrected (`SearchPage.corrected_text`).

    Relevance is ranked among the newest RANK_WINDOW matches (by arrival), which is also
    as far as the total counts (`SearchPage.is_total_capped`): a common word matches
    tens of thousands of articles, and ranking or counting them all would cost every
    reader hundreds of milliseconds. One statement finds the window; its rows are small.
    """
    found = _search(session, query)
    if found.hits or found.topics or not found.terms:
        return found
    corrected = suggest_spelling(session, found.terms)
    if corrected is None:
        return found
    retried = _search(session, replace(query, text=corrected))
    return replace(retried, corrected_text=corrected) if retried.hits else found


def _search(session: Session, query: SearchQuery) -> SearchPage:
    terms = query.terms
    page, per_page = _clamp_paging(query.page, query.per_page)
    if not terms:
        return SearchPage(hits=[], total=0, page=page, per_page=per_page, terms=[])
    engine = _sqlite_window
    if session.get_bind().dialect.name == "postgresql":
        engine = _postgresql_window
        # psycopg prepares a statement after a few runs, and PostgreSQL's generic plan for
        # it cannot see how common the searched word is: plan each search for its words.
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    clauses = _filter_clauses(session, query.filters)
    scores, is_capped = _shown_matches(session, engine, terms, clauses,
                                       is_prefix=query.is_prefix)
    if not scores and not query.is_prefix:
        # Nothing for these words, the last one read as the start of a stem: the reader
        # may have stopped mid-word past a stem ("electi" against "elect"), so what the
        # live search listed while they typed is found here. Only then: a second query
        # on every search would double its cost.
        scores, is_capped = _shown_matches(session, engine, terms, clauses, is_prefix=True)
    topics = [] if query.is_prefix else matching_topics(session, query.text)
    if topics:
        # Filed under the name counts as much as the best text match.
        best = max((score for score, _ in scores.values()), default=1.0)
        for row in session.execute(_topic_window(session, topics, clauses)):
            scores.setdefault(row.id, (best, row.published_at))
    # Best score first; among equals, newest first (then the higher id, for stability).
    ranked = sorted(scores, key=lambda article_id: (
        -scores[article_id][0], -scores[article_id][1].timestamp(), -article_id))
    other_outlets: dict[int, int] = {}
    if query.is_one_per_story:
        ranked, other_outlets = _best_of_each_story(session, ranked)
    ids = ranked[(page - 1) * per_page:page * per_page]
    hits = [replace(_hit(article, terms), other_outlets=other_outlets.get(article.id, 0))
            for article in _load_in_order(session, ids)]
    return SearchPage(hits=hits, total=len(ranked), page=page, per_page=per_page,
                      terms=terms, is_total_capped=is_capped, topics=topics)


def _best_of_each_story(session: Session, ranked: list[int],
                        ) -> tuple[list[int], dict[int, int]]:
    """The best-ranked match of each story, in rank order (an article without a story
    stands for itself), and for each kept id the number of other sources among its
    story's matches. One statement on the ranked ids (at most a window's worth)."""
    rows = {row.id: row for row in session.execute(
        select(Article.id, Article.story_id, Article.source_id)
        .where(Article.id.in_(ranked)))} if ranked else {}
    best: dict[int, int] = {}            # story id → its kept article id
    sources: dict[int, set[int]] = {}    # kept article id → sources of its story's matches
    kept: list[int] = []
    for article_id in ranked:
        row = rows.get(article_id)
        if row is None:
            continue
        lead = best.setdefault(row.story_id, article_id) if row.story_id is not None \
            else article_id
        if lead == article_id:
            kept.append(article_id)
            sources[article_id] = {row.source_id}
        else:
            sources[lead].add(row.source_id)
    return kept, {article_id: len(found) - 1 for article_id, found in sources.items()}


def _shown_matches(session: Session, engine: Callable[..., Select[Any]], terms: list[str],
                   clauses: list[ColumnElement[bool]], *, is_prefix: bool,
                   ) -> tuple[dict[int, tuple[float, datetime]], bool]:
    """id → (score, published_at) of the newest matches whose match readers can see,
    and whether the window was full (more matches exist)."""
    window = session.execute(engine(terms, clauses, is_prefix=is_prefix)).all()
    shown = _matching_what_readers_see(session, window, terms, is_prefix=is_prefix)
    return ({row.id: (row.score, row.published_at) for row in window if row.id in shown},
            len(window) >= RANK_WINDOW)


def matching_topics(session: Session, text: str, *, is_prefix: bool = False,
                    limit: int = MAX_TOPICS) -> list[Topic]:
    """Tags, sections and sources named `text` (case and accents aside), or, while the
    reader types (`is_prefix`), whose names start with it. Tags and sections are found
    by their indexed slugs; sources, which are few, by name."""
    key = name_key(text[:MAX_QUERY_CHARS])
    if not key:
        return []
    folded = " ".join(text[:MAX_QUERY_CHARS].split()).casefold()

    def named(column: Any, value: str) -> ColumnElement[bool]:
        if is_prefix:
            return column.startswith(value, autoescape=True)   # type: ignore[no-any-return]
        return column == value   # type: ignore[no-any-return]

    found = [Topic("tag", row.id, row.name, row.slug) for row in session.execute(
        select(Tag.id, Tag.name, Tag.slug).where(named(Tag.slug, key))
        .order_by(func.length(Tag.slug), Tag.slug).limit(limit))]
    found += [Topic("section", row.id, row.name, row.slug) for row in session.execute(
        select(Section.id, Section.name, Section.slug)
        .where(or_(named(Section.slug, key), named(func.lower(Section.name), folded)))
        .order_by(Section.position, Section.name).limit(limit))]
    found += [Topic("source", row.id, row.name, "") for row in session.execute(
        select(Source.id, Source.name).where(named(func.lower(Source.name), folded))
        .order_by(Source.name, Source.id).limit(limit))]
    return found[:limit]


def _topic_window(session: Session, topics: list[Topic],
                  clauses: list[ColumnElement[bool]]) -> Select[int, datetime]:
    """(id, published_at) of the newest articles filed under the topics."""
    tag_ids = [topic.id for topic in topics if topic.kind == "tag"]
    named_sections = [topic.id for topic in topics if topic.kind == "section"]
    source_ids = [topic.id for topic in topics if topic.kind == "source"]
    section_ids = list(session.scalars(select(Section.id).where(or_(
        Section.id.in_(named_sections), Section.parent_id.in_(named_sections))))) \
        if named_sections else []
    filed = []
    if tag_ids:
        filed.append(Article.id.in_(select(article_tags.c.article_id)
                                    .where(article_tags.c.tag_id.in_(tag_ids))))
    if section_ids:
        filed.append(Article.section_id.in_(section_ids))
    if source_ids:
        filed.append(Article.source_id.in_(source_ids))
    return (select(Article.id, Article.published_at).where(or_(*filed), *clauses)
            .order_by(Article.published_at.desc(), Article.id.desc()).limit(RANK_WINDOW))


def suggest_spelling(session: Session, terms: list[str]) -> str | None:
    """The terms with each unknown word (of MIN_CORRECTED_LENGTH letters or more)
    replaced by the most common known word one edit away (Damerau-Levenshtein: one
    letter added, dropped, changed, or two neighbours swapped); None when nothing
    changes. Known words come from the newest titles and every tag, section and
    source name."""
    if not terms:
        return None
    vocabulary = _vocabulary(session)
    corrected = []
    for term in terms:
        if term in vocabulary or len(term) < MIN_CORRECTED_LENGTH:
            corrected.append(term)
            continue
        near = [word for word in vocabulary
                if abs(len(word) - len(term)) <= 1 and is_one_edit_apart(term, word)]
        corrected.append(max(near, key=lambda word: (vocabulary[word], word)) if near else term)
    return " ".join(corrected) if corrected != terms else None


def _vocabulary(session: Session) -> dict[str, int]:
    """Word → how often it appears, over the newest titles and every name."""
    titles = session.scalars(select(Article.title).order_by(Article.id.desc())
                             .limit(VOCABULARY_TITLES))
    names = [*session.scalars(select(Tag.name).order_by(Tag.id.desc()).limit(VOCABULARY_TAGS)),
             *session.scalars(select(Section.name)), *session.scalars(select(Source.name))]
    counts: dict[str, int] = {}
    for line in [*titles, *names]:
        for word in _TERM.findall((line or "").casefold()):
            counts[word] = counts.get(word, 0) + 1
    return counts


def is_one_edit_apart(typed: str, word: str) -> bool:
    """Whether `word` is `typed` with exactly one letter added, dropped, changed, or two
    neighbouring letters swapped."""
    if typed == word:
        return False
    if len(typed) == len(word):
        differ = [index for index, (a, b) in enumerate(zip(typed, word, strict=True))
                  if a != b]
        return len(differ) == 1 or (
            len(differ) == 2 and differ[1] == differ[0] + 1
            and typed[differ[0]] == word[differ[1]] and typed[differ[1]] == word[differ[0]])
    shorter, longer = sorted((typed, word), key=len)
    if len(longer) - len(shorter) != 1:
        return False
    for index, letter in enumerate(shorter):
        if letter != longer[index]:
            return shorter[index:] == longer[index + 1:]
    return True


def list_articles(session: Session, filters: ArticleFilters, *, page: int = 1,
                  per_page: int = 20) -> ArticlePage:
    """Articles passing the filters, newest first (a constant number of statements)."""
    page, per_page = _clamp_paging(page, per_page)
    clauses = _filter_clauses(session, filters)
    total = session.scalar(select(func.count(Article.id)).where(*clauses)) or 0
    # The page's ids first, from the (published_at, id) index alone, then only their
    # rows: an OFFSET walks past every row before the page, and walking whole rows made
    # page 2,999 of 300,000 articles take 0.7 s on PostgreSQL (0.03 s from the index).
    newest = (select(Article.id).where(*clauses)
              .order_by(Article.published_at.desc(), Article.id.desc())
              .limit(per_page).offset((page - 1) * per_page).subquery())
    articles = list(session.scalars(
        _with_relations(select(Article).join(newest, newest.c.id == Article.id))
        .order_by(Article.published_at.desc(), Article.id.desc())))
    return ArticlePage(articles=articles, total=total, page=page, per_page=per_page)


def article_with_relations(session: Session, article_id: int) -> Article | None:
    return session.scalar(_with_relations(select(Article).where(Article.id == article_id)))


def _clamp_paging(page: int, per_page: int) -> tuple[int, int]:
    return max(1, page), min(max(1, per_page), MAX_PER_PAGE)


def _sqlite_window(terms: list[str], clauses: list[ColumnElement[bool]], *,
                   is_prefix: bool) -> Select[tuple[int, float, datetime]]:
    """(id, score, published_at) of the newest matches.

    The FTS table drives the scan in descending rowid order, so the LIMIT stops it
    early; bm25() only works in the query that scans it. Filters become one set of ids
    read from covering indexes, and the unary `+` keeps SQLite from handing that set to
    FTS5 as a lookup per id (a probe each, hundreds of times slower than the scan).
    """
    name, fts, fts_table = _fts_table(is_prefix)
    score = -func.bm25(fts_table, 10.0, 4.0, 1.0)   # bm25 is lower for better matches
    newest = (select(fts.c.rowid.label("id"), score.label("score")).select_from(fts)
              .where(fts_table.op("MATCH")(bindparam("fts_match", _fts_match(terms,
                                                                             is_prefix)))))
    if clauses:
        newest = newest.where(literal_column(f"+{name}.rowid").in_(
            select(Article.id).where(*clauses)))
    window = newest.order_by(fts.c.rowid.desc()).limit(RANK_WINDOW).subquery()
    return (select(Article.id, window.c.score, Article.published_at, Article.source_id)
            .join(window, window.c.id == Article.id))


def _postgresql_window(terms: list[str], clauses: list[ColumnElement[bool]], *,
                       is_prefix: bool) -> Select[tuple[int, float, datetime]]:
    """(id, score, published_at) of the newest matches; ts_rank reads whole tsvectors,
    so it runs on the window's rows only."""
    tsquery, vector = _tsquery(terms, is_prefix), _tsvector(is_prefix)
    newest = (select(Article.id).where(vector.op("@@")(tsquery), *clauses)
              .order_by(Article.id.desc()).limit(RANK_WINDOW).subquery())
    return (select(Article.id, func.ts_rank(vector, tsquery).label("score"),
                   Article.published_at, Article.source_id)
            .join(newest, newest.c.id == Article.id))


# What a source's rights let readers see (models/sources.Rights), as the indexed columns a
# match may come from: a body or a summary readers are not shown must not make an
# article a hit (that would tell anyone which words it holds).
_SHOWN_COLUMNS = {Rights.EXCERPT.value: ("title", "summary"), Rights.HEADLINE.value: ("title",)}
_PG_WEIGHTS = {("title", "summary"): "AB", ("title",): "A"}


def _matching_what_readers_see(session: Session, window: Sequence[Any], terms: list[str],
                               *, is_prefix: bool) -> set[int]:
    """The window's ids whose match lies in what their source's rights show: all of a
    `full` source's, and those of the others that match again on their shown columns
    only (one indexed lookup per rights level, on the window's ids)."""
    ids = {row.id for row in window}
    restricted = dict(session.execute(select(Source.id, Source.rights)
                                      .where(Source.rights != Rights.FULL.value)).all())
    by_columns: dict[tuple[str, ...], list[int]] = {}
    for row in window:
        columns = _SHOWN_COLUMNS.get(restricted.get(row.source_id, Rights.FULL.value))
        # The prefix index holds title and summary only: an excerpt matches there whole.
        if columns is None or (is_prefix and columns == ("title", "summary")):
            continue
        by_columns.setdefault(columns, []).append(row.id)
    for columns, candidates in by_columns.items():
        ids -= set(candidates) - _ids_matching_in(session, candidates, terms, columns,
                                                   is_prefix=is_prefix)
    return ids


def _ids_matching_in(session: Session, candidates: list[int], terms: list[str],
                     columns: tuple[str, ...], *, is_prefix: bool) -> set[int]:
    if session.get_bind().dialect.name == "postgresql":
        tsquery = _tsquery(terms, is_prefix, weights=_PG_WEIGHTS[columns])
        return set(session.scalars(select(Article.id).where(
            Article.id.in_(candidates), _tsvector(is_prefix).op("@@")(tsquery))))
    # FTS5: these columns only.
    match = f"{{{' '.join(columns)}}} : ({_fts_match(terms, is_prefix)})"
    _, fts, fts_table = _fts_table(is_prefix)
    # A rowid range, not an IN list: FTS5 walks its rowid-ordered lists once over a
    # range, but looks each listed rowid up again (100,000 articles: 0.2 against 50 ms).
    found = session.scalars(select(fts.c.rowid).where(
        fts_table.op("MATCH")(bindparam("fts_match", match)),
        fts.c.rowid.between(min(candidates), max(candidates))))
    return set(found) & set(candidates)


def _fts_match(terms: list[str], is_prefix: bool) -> str:
    """FTS5 string syntax: each term a double-quoted string (terms hold no quotes), so no
    word of the input can act as an operator or a column filter; `*` makes it a prefix:
    every term of a prefix search, the last (unfinished) word of a full one."""
    return " ".join(f'"{term}"{"*" if prefix else ""}'
                    for term, prefix in _with_prefixes(terms, is_prefix))


def _with_prefixes(terms: list[str], is_prefix: bool) -> list[tuple[str, bool]]:
    """Each term, and whether it matches as a prefix."""
    last = len(terms) - 1
    return [(term, is_prefix or (index == last and len(term) >= MIN_STEM_PREFIX))
            for index, term in enumerate(terms)]


def _fts_table(is_prefix: bool) -> tuple[str, Any, ColumnClause[Any]]:
    """(name, table, the table as a MATCH/bm25 operand) of the SQLite index to search."""
    name = "articles_fts_prefix" if is_prefix else "articles_fts"
    return name, table(name, column("rowid")), literal_column(name)


def _tsquery(terms: list[str], is_prefix: bool, *, weights: str = "") -> Any:
    """A tsquery of quoted lexemes joined by & (terms hold no quotes or operators), bound
    as a parameter; `:*` makes a term a prefix (as `_fts_match` says which), `weights`
    ("AB") limits it to those parts of the vector (title A, summary B, content C)."""
    def label(prefix: bool) -> str:
        return (":*" if prefix else ":" if weights else "") + weights

    lexemes = " & ".join(f"'{term}'{label(prefix)}"
                         for term, prefix in _with_prefixes(terms, is_prefix))
    config = "'simple'::regconfig" if is_prefix else "'english'::regconfig"
    return func.to_tsquery(literal_column(config, REGCONFIG), bindparam("tsquery", lexemes))


def _tsvector(is_prefix: bool) -> ColumnClause[Any]:
    return literal_column("articles.search_prefix_vector" if is_prefix
                          else "articles.search_vector")


def _filter_clauses(session: Session, filters: ArticleFilters) -> list[ColumnElement[bool]]:
    """WHERE clauses for the filters. Section and tag slugs are resolved to ids first:
    with literal ids the planner estimates well (PostgreSQL otherwise scans the whole
    table in id order for a rare combination)."""
    clauses: list[ColumnElement[bool]] = []
    if filters.section_slug:
        named = select(Section.id).where(Section.slug == filters.section_slug)
        section_ids = list(session.scalars(
            select(Section.id).where(or_(Section.id.in_(named), Section.parent_id.in_(named)))))
        clauses.append(Article.section_id.in_(section_ids))
    if filters.source_id is not None:
        clauses.append(Article.source_id == filters.source_id)
    if filters.tag_slug:
        tag_id = session.scalar(select(Tag.id).where(Tag.slug == filters.tag_slug))
        clauses.append(Article.id.in_(
            select(article_tags.c.article_id).where(article_tags.c.tag_id == tag_id)))
    if filters.published_from is not None:
        clauses.append(Article.published_at >= filters.published_from)
    if filters.published_before is not None:
        clauses.append(Article.published_at < filters.published_before)
    return clauses


def _with_relations(statement: Select[Article]) -> Select[Article]:
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
    if not text:
        return []
    pattern = _term_pattern(terms)
    if pattern is None:
        return [(text, False)]
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
    """About thirty words of the summary (or else the body) around the first match, of
    what the source's rights let readers see: nothing of a headline-only source."""
    pattern = _term_pattern(terms)
    shown = " ".join(article.shown_summary.split())     # stored as text: no markup
    found = pattern.search(shown) if pattern else None
    if found is None and pattern is not None and article.source.may_show_body:
        body = plain_text(article.shown_body_html)
        found = pattern.search(body)
        if found is not None:
            shown = body
    words = shown.split(" ")
    first = shown[:found.start()].count(" ") if found else 0
    start = max(0, first - SNIPPET_WORDS // 3)
    excerpt = " ".join(words[start:start + SNIPPET_WORDS])
    if start > 0:
        excerpt = "… " + excerpt
    if start + SNIPPET_WORDS < len(words):
        excerpt += " …"
    return highlight(excerpt, terms)


def _term_pattern(terms: list[str]) -> re.Pattern[str] | None:
    """Words starting with any term (re caches the compiled pattern)."""
    if not terms:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(term) for term in terms) + r")\w*",
                      re.IGNORECASE)


def plain_text(markup: str) -> str:
    """Text of stored (sanitised) HTML on one line: tags dropped, entities decoded."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", markup))).strip()

