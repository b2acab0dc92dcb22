"""Search finds articles on either engine, best match first then newest, and no input —
however hostile — escapes into SQL, the engine's query syntax or the page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import MetaData, insert, inspect, text

from models.articles import Article
from models.base import utcnow
from models.db import Database, session_scope
from models.full_text import save_full_text
from models.search import (
    MAX_QUERY_CHARS,
    ArticleFilters,
    SearchQuery,
    list_articles,
    parse_terms,
    search_articles,
)
from tests.article_rows import ArticleRows


def shown_text(segments: list[tuple[str, bool]]) -> str:
    return "".join(text for text, _ in segments)


@pytest.fixture
def rows(database: Database) -> ArticleRows:
    return ArticleRows(database)


def search(database: Database, text: str, **options) -> list[str]:
    return [hit.article.title for hit in run(database, text, **options).hits]


def run(database: Database, text: str, **options):
    with session_scope(database, write=False) as session:
        return search_articles(session, SearchQuery(text=text, **options))


def test_title_match_outranks_body_match_even_when_older(database, rows) -> None:
    rows.article("Markets calm", content_html="<p>The volcano erupted overnight.</p>",
                 age=timedelta(hours=1))
    rows.article("Volcano erupts near the coast", age=timedelta(days=3))
    rows.article("Unrelated story", summary="Nothing to see")
    assert search(database, "volcano") == ["Volcano erupts near the coast", "Markets calm"]


def test_equally_relevant_articles_come_newest_first(database, rows) -> None:
    for age_days, title in [(3, "Budget vote (old)"), (1, "Budget vote (new)"),
                            (2, "Budget vote (mid)")]:
        rows.article(title, summary="Parliament budget", age=timedelta(days=age_days))
    assert search(database, "budget") == [
        "Budget vote (new)", "Budget vote (mid)", "Budget vote (old)"]


def test_every_term_must_match(database, rows) -> None:
    rows.article("Rail strike in the north")
    rows.article("Rail fares rise")
    assert search(database, "rail strike") == ["Rail strike in the north"]


def test_a_match_counts_only_in_what_the_sources_rights_show(database, rows) -> None:
    """A body or summary readers are not shown must not make an article a hit: that would
    tell anyone which words a publisher's withheld text holds."""
    text = {"summary": "Spotted a quokka", "content_html": "<p>And a platypus too.</p>"}
    for rights in ("headline", "excerpt", "full"):
        rows.article(f"Zoo news ({rights})", source=rows.source(rights, rights=rights), **text)
    assert search(database, "platypus") == ["Zoo news (full)"]
    assert sorted(search(database, "quokka")) == ["Zoo news (excerpt)", "Zoo news (full)"]
    assert sorted(search(database, "zoo quokka")) == ["Zoo news (excerpt)", "Zoo news (full)"]
    assert len(search(database, "zoo")) == 3
    # While typing (title and summary only): a headline-only source's summary is hidden.
    assert sorted(search(database, "quok", is_prefix=True)) == [
        "Zoo news (excerpt)", "Zoo news (full)"]
    assert len(search(database, "zo", is_prefix=True)) == 3
    assert run(database, "platypus").total == 1


def test_prefix_search_matches_words_as_they_are_typed(database, rows) -> None:
    rows.article("Elections tomorrow")
    rows.article("Tomorrow's weather")
    assert search(database, "electi", is_prefix=True) == ["Elections tomorrow"]
    assert search(database, "tomorrow electi", is_prefix=True) == ["Elections tomorrow"]


def test_full_search_finds_what_live_search_found_for_an_unfinished_last_word(
        database, rows) -> None:
    """The reader types "infla", sees suggestions and asks for all results: the results
    page must not say there are none."""
    rows.article("Elections tomorrow")
    rows.article("Inflation slows", summary="Prices rose less in March")
    rows.article("Inflatable boats banned")
    rows.article("Harbour reopens")
    for typed in ("electi", "harb", "tomorrow electi"):
        assert search(database, typed) == search(database, typed, is_prefix=True) != []
    assert sorted(search(database, "infla")) == ["Inflatable boats banned", "Inflation slows"]
    assert search(database, "prices infla") == ["Inflation slows"]
    assert search(database, "pricey infla") == []
    assert run(database, "harb").total == 1


def test_an_unfinished_last_word_matches_bodies_only_where_rights_show_them(
        database, rows) -> None:
    text = {"summary": "Spotted a quokka", "content_html": "<p>And a platypus too.</p>"}
    for rights in ("headline", "excerpt", "full"):
        rows.article(f"Zoo news ({rights})", source=rows.source(rights, rights=rights), **text)
    assert search(database, "platyp") == ["Zoo news (full)"]
    assert sorted(search(database, "quok")) == ["Zoo news (excerpt)", "Zoo news (full)"]
    assert search(database, "quokka platyp") == ["Zoo news (full)"]


def test_filters_by_section_including_its_children_source_tag_and_dates(
        database, rows) -> None:
    news = rows.section("news")
    politics = rows.section("politics", parent=news)
    sport = rows.section("sport")
    wire = rows.source("Wire")
    other = rows.source("Other")
    climate = rows.tag("climate")
    now = utcnow()
    rows.article("Storm in politics", section=politics, source=wire, tags=[climate],
                 published_at=now - timedelta(days=1))
    rows.article("Storm in sport", section=sport, source=other,
                 published_at=now - timedelta(days=10))
    assert search(database, "storm", filters=ArticleFilters(section_slug="news")) == [
        "Storm in politics"]
    assert search(database, "storm", filters=ArticleFilters(source_id=other.id)) == [
        "Storm in sport"]
    assert search(database, "storm", filters=ArticleFilters(tag_slug="climate")) == [
        "Storm in politics"]
    assert search(database, "storm", filters=ArticleFilters(
        published_from=now - timedelta(days=20),
        published_before=now - timedelta(days=5))) == ["Storm in sport"]
    assert search(database, "storm", filters=ArticleFilters(section_slug="nope")) == []


def test_pages_hold_per_page_hits_and_count_the_total(database, rows) -> None:
    for number in range(7):
        rows.article(f"Harbour report {number}", age=timedelta(hours=number))
    first = run(database, "harbour", per_page=3)
    third = run(database, "harbour", per_page=3, page=3)
    assert (first.total, first.pages, first.has_next, first.has_previous) == (7, 3, True, False)
    assert [hit.article.title for hit in first.hits] == [
        "Harbour report 0", "Harbour report 1", "Harbour report 2"]
    assert [hit.article.title for hit in third.hits] == ["Harbour report 6"]
    assert third.has_next is False
    assert run(database, "harbour", per_page=3, page=9).hits == []


def test_matches_are_highlighted_in_title_and_snippet_and_html_is_escaped(
        database, rows) -> None:
    rows.article("<b>Whale</b> & dolphins", summary="A whale was seen <i>offshore</i>.")
    hit = run(database, "whale").hits[0]
    assert hit.title_segments == [("<b>", False), ("Whale", True), ("</b> & dolphins", False)]
    assert ("whale", True) in hit.snippet_segments
    # A summary is text, kept as it is (the page escapes it).
    assert shown_text(hit.snippet_segments) == "A whale was seen <i>offshore</i>."


def test_snippet_comes_from_the_body_when_the_summary_does_not_match(database, rows) -> None:
    words = " ".join(f"filler{n}" for n in range(60))
    rows.article("Report", summary="Short summary",
                 content_html=f"<p>{words} the glacier retreated {words}</p>")
    hit = run(database, "glacier").hits[0]
    assert ("glacier", True) in hit.snippet_segments
    shown = shown_text(hit.snippet_segments)
    assert shown.startswith("… ") and shown.endswith(" …")
    assert "<p>" not in shown


@pytest.mark.parametrize("hostile", [
    '"', '""', "'", "*", "OR", "AND NOT", "NEAR(", "NEAR(a b", "title:x", "^start",
    "'; DROP TABLE articles; --", "<script>alert(1)</script>", "🦊🔥", "a" * 1000,
    "", "   ", "\x00", "x & y | !z", "'x':*", "(((", "-", "\\",
])
def test_hostile_input_neither_fails_nor_alters_the_database(database, rows, hostile) -> None:
    rows.article("Script kiddies and alerts", summary="Tables were dropped")
    page = run(database, hostile)
    run(database, hostile, is_prefix=True)
    assert page.total == len(page.hits)
    with session_scope(database, write=False) as session:
        assert session.scalar(text("SELECT count(*) FROM articles")) == 1
    for hit in page.hits:   # markup in input never reaches a hit (the page escapes hits)
        assert "<script" not in shown_text(hit.title_segments + hit.snippet_segments)


def test_hostile_input_still_searches_its_words(database, rows) -> None:
    rows.article("Script kiddies and alerts", summary="Tables were dropped")
    assert search(database, "<script>alert</script>", is_prefix=True) == [
        "Script kiddies and alerts"]
    assert search(database, "'; DROP TABLE articles; --") == []   # every term must match


def test_emoji_and_accents_are_searchable_as_words(database, rows) -> None:
    rows.article("Café culture 🦊 returns")
    assert search(database, "café 🦊") == ["Café culture 🦊 returns"]


def test_terms_are_capped_in_length_and_number() -> None:
    assert parse_terms("x" * 1000) == ["x" * MAX_QUERY_CHARS]
    assert len(parse_terms(" ".join(f"w{n}" for n in range(50)))) == 8
    assert parse_terms('"OR" NEAR(a, b) *') == ["or", "near", "a", "b"]
    assert parse_terms("") == []


def test_index_follows_inserts_updates_and_deletes(database, rows) -> None:
    article = rows.article("Comet sighted")
    assert search(database, "comet") == ["Comet sighted"]
    with session_scope(database) as session:
        row = session.get(Article, article.id)
        row.title = "Asteroid sighted"
        row.view_count = 5
    assert search(database, "comet") == []
    assert search(database, "asteroid") == ["Asteroid sighted"]
    with session_scope(database) as session:
        session.delete(session.get(Article, article.id))
    assert search(database, "asteroid") == []


def test_listing_without_text_filters_and_orders_newest_first(database, rows) -> None:
    sport = rows.section("sport")
    rows.article("Older", section=sport, published_at=datetime(2026, 1, 1, tzinfo=UTC))
    rows.article("Newer", section=sport, published_at=datetime(2026, 2, 1, tzinfo=UTC))
    rows.article("Elsewhere")
    with session_scope(database, write=False) as session:
        page = list_articles(session, ArticleFilters(section_slug="sport"), per_page=1)
        assert [article.title for article in page.articles] == ["Newer"]
        assert page.total == 2


def test_relevance_is_ranked_among_the_newest_matches_and_the_total_says_so(
        database, rows, monkeypatch) -> None:
    from models import search as search_module

    monkeypatch.setattr(search_module, "RANK_WINDOW", 3)
    rows.article("Tide tide tide", age=timedelta(days=9))      # best, but oldest
    for number in range(3):
        rows.article(f"Tide report {number}", age=timedelta(hours=number))
    page = run(database, "tide")
    assert [hit.article.title for hit in page.hits] == [
        "Tide report 0", "Tide report 1", "Tide report 2"]
    assert (page.total, page.is_total_capped) == (3, True)


def _article_at_0001(database, title: str, *, summary: str, content_html: str = "") -> None:
    """One article written in the schema of revision 0001 (to 0005: the models describe
    the newest schema, whose later columns those revisions do not have)."""
    now = utcnow()
    with database.engine.begin() as connection:
        tables = MetaData()
        tables.reflect(connection, only=["sources", "articles"])
        source_id = connection.execute(insert(tables.tables["sources"]).values(
            url="https://feeds.example/old.xml", name="Old", status="ok", error_count=0,
            unfinished_polls=0, interval_minutes=30, next_poll_at=now, created_at=now)
            .returning(tables.tables["sources"].c.id)).scalar_one()
        connection.execute(insert(tables.tables["articles"]).values(
            source_id=source_id, entry_key="old", entry_hash="old", title=title,
            summary=summary, content_html=content_html, content_hash="x", is_video=False,
            published_at=now, created_at=now, modified_at=now, view_count=0, share_count=0,
            comment_count=0))


def test_migration_indexes_articles_that_existed_before_it(scratch_database_url) -> None:
    """Upgrading a database that already holds articles backfills the index; stepping
    back removes every search object and leaves the articles alone."""
    from models import migrate
    from models.db import make_database

    url = scratch_database_url
    migrate.upgrade(url, "0001")
    scratch = make_database(url)
    try:
        _article_at_0001(scratch, "Lighthouse restored", summary="Keepers return")
        migrate.upgrade(url)           # 0002 and the later revisions the models describe
        assert search(scratch, "lighthouse") == ["Lighthouse restored"]
        assert search(scratch, "keep", is_prefix=True) == ["Lighthouse restored"]
        migrate.downgrade(url, "0001")
        with session_scope(scratch, write=False) as session:
            assert session.scalar(text("SELECT count(*) FROM articles")) == 1
        inspector = inspect(scratch.engine)
        assert not [name for name in inspector.get_table_names()
                    if name.startswith("articles_fts")]
        assert not [column["name"] for column in inspector.get_columns("articles")
                    if column["name"].startswith("search_")]
        migrate.upgrade(url)
        assert search(scratch, "restored") == ["Lighthouse restored"]
    finally:
        scratch.dispose()


def test_body_index_loses_its_unread_prefixes_and_keeps_every_article(
        scratch_database_url) -> None:
    """0004: SQLite's stemmed index is rebuilt without the prefix indexes no query reads
    (live search has its own table); articles stored before it stay findable both ways."""
    from models import migrate
    from models.db import make_database

    url = scratch_database_url
    migrate.upgrade(url, "0003_reader_indexes")
    scratch = make_database(url)

    def stemmed_index_sql() -> str | None:
        if not scratch.is_sqlite:
            return None
        with session_scope(scratch, write=False) as session:
            return session.scalar(text(
                "SELECT sql FROM sqlite_master WHERE name = 'articles_fts'"))

    try:
        _article_at_0001(scratch, "Harbour dredged", summary="Work starts",
                         content_html="<p>Barges arrived overnight</p>")
        assert "prefix" in (stemmed_index_sql() or "prefix")
        migrate.upgrade(url)
        assert "prefix" not in (stemmed_index_sql() or "")
        assert search(scratch, "barges") == ["Harbour dredged"]
        assert search(scratch, "harb", is_prefix=True) == ["Harbour dredged"]
        ArticleRows(scratch).article("Ferry timetable", content_html="<p>Barges too</p>")
        assert sorted(search(scratch, "barge")) == ["Ferry timetable", "Harbour dredged"]
        migrate.downgrade(url, "0003_reader_indexes")
        assert "prefix" in (stemmed_index_sql() or "prefix")
        if scratch.is_sqlite:     # the models are newer than 0003: ask the index directly
            with session_scope(scratch, write=False) as session:
                assert session.scalar(text("SELECT count(*) FROM articles_fts "
                                           "WHERE articles_fts MATCH 'barges'")) == 2
    finally:
        scratch.dispose()


def test_index_follows_an_upsert_like_ingest_does(database, rows) -> None:
    """Ingest stores with INSERT … ON CONFLICT DO UPDATE: both paths keep the index."""
    from sqlalchemy.dialects.postgresql import insert as postgresql_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    source = rows.source()
    insert = (postgresql_insert if database.engine.dialect.name == "postgresql"
              else sqlite_insert)

    def upsert(title: str) -> None:
        values = {"source_id": source.id, "entry_key": "k", "entry_hash": "h" * 64,
                  "title": title, "summary": "", "content_html": "", "content_hash": title,
                  "published_at": utcnow(), "created_at": utcnow(), "modified_at": utcnow(),
                  "is_video": False, "view_count": 0, "share_count": 0, "comment_count": 0}
        statement = insert(Article).values(values)
        statement = statement.on_conflict_do_update(
            index_elements=["source_id", "entry_hash"],
            set_={"title": statement.excluded.title})
        with session_scope(database) as session:
            session.execute(statement)

    upsert("Penguins march")
    assert search(database, "penguins") == ["Penguins march"]
    upsert("Puffins march")
    assert search(database, "penguins") == []
    assert search(database, "puffins") == ["Puffins march"]
    assert search(database, "puff", is_prefix=True) == ["Puffins march"]


def test_a_tag_section_or_source_name_finds_what_is_filed_under_it(database, rows) -> None:
    nato = rows.tag("nato", "NATO")
    defence = rows.section("defence", "Defence")
    wire = rows.source("Alliance Wire")
    rows.article("Summit opens in Vilnius", tags=[nato])
    rows.article("Budget for tanks", section=defence)
    rows.article("Morning briefing", source=wire)
    rows.article("Nothing to do with it")

    assert search(database, "NATO") == ["Summit opens in Vilnius"]
    assert search(database, "defence") == ["Budget for tanks"]
    assert search(database, "alliance wire") == ["Morning briefing"]
    page = run(database, "nato")
    assert [(topic.kind, topic.name) for topic in page.topics] == [("tag", "NATO")]


def test_one_typo_is_corrected_from_titles_and_names(database, rows) -> None:
    rows.article("Glaciers retreat faster than forecast")
    rows.article("Glaciers in the Alps")
    rows.tag("ukraine", "Ukraine")
    rows.article("Nothing about ice")

    page = run(database, "glacirs")
    assert page.corrected_text == "glaciers"
    assert {hit.article.title for hit in page.hits} == {
        "Glaciers retreat faster than forecast", "Glaciers in the Alps"}
    assert run(database, "glaicers").corrected_text == "glaciers"     # two letters swapped
    assert run(database, "zzzzqqq").corrected_text is None
    assert run(database, "glaciers").corrected_text is None


def test_one_edit_apart_means_exactly_one_edit() -> None:
    from models.search import is_one_edit_apart

    assert is_one_edit_apart("nato", "natto") and is_one_edit_apart("natto", "nato")
    assert is_one_edit_apart("glacier", "glacuer") and is_one_edit_apart("form", "from")
    assert not is_one_edit_apart("glacier", "glacier")
    assert not is_one_edit_apart("glacier", "glazies")
    assert not is_one_edit_apart("abc", "abcde")


def test_sqlite_full_text_indexes_merge_sixteen_segments_at_a_time(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Migration 0013 (whatever the run's backend: SQLite's own setting): each FTS5 index
    merges 16 segments of a level at once, not 4; stepping back restores FTS5's default."""
    from sqlalchemy import create_engine

    from models import migrate

    url = f"sqlite:///{tmp_path / 'search.db'}"
    engine = create_engine(url)

    def automerge() -> dict[str, int]:
        with engine.connect() as connection:
            return {index: connection.exec_driver_sql(
                f"SELECT v FROM {index}_config WHERE k = 'automerge'").scalar_one_or_none()
                for index in ("articles_fts", "articles_fts_prefix")}

    try:
        migrate.upgrade(url)
        assert automerge() == {"articles_fts": 16, "articles_fts_prefix": 16}
        migrate.downgrade(url, "0012_article_image_caption")
        assert automerge() == {"articles_fts": 4, "articles_fts_prefix": 4}
    finally:
        engine.dispose()


MARKED_UP_BODY = (
    '<figure><img src="https://news.example/wp-content/uploads/2026/11/harbour-1024x683.jpg"'
    ' alt=""></figure><p>The council approved the harbour budget. '
    '<a href="https://news.example/2026/11/budget/" rel="noopener noreferrer nofollow">'
    "Read the vote</a> &amp; the reactions&nbsp;here.</p>")


def test_a_body_matches_by_its_text_not_its_markup(database, rows) -> None:
    """Tags, attributes, URLs and entities are no words of the article: on SQLite they
    were indexed too, and "content" or "uploads" found every article with a picture."""
    rows.article("Harbour vote", content_html=MARKED_UP_BODY)
    assert search(database, "council") == ["Harbour vote"]
    assert search(database, "reactions") == ["Harbour vote"]
    for markup in ("uploads", "content", "nofollow", "noopener", "href", "https", "amp",
                   "nbsp", "jpg", "figure"):
        assert search(database, markup) == [], markup


def test_the_page_text_fetched_for_a_summary_only_feed_is_searchable(database, rows) -> None:
    """Readers of a `full` source see the page's text (full_text_html) instead of the
    feed's teaser: its words find the article, from the moment it arrives. Where the
    source's rights hide bodies, they do not."""
    teaser = {"summary": "A short teaser", "content_html": "<p>A short teaser.</p>"}
    full = rows.article("Keepers", source=rows.source("Full", rights="full"), **teaser)
    rows.article("Keepers (excerpt)", source=rows.source("Excerpt", rights="excerpt"),
                 full_text_html="<p>The lighthouse keeper retired.</p>", **teaser)
    assert search(database, "lighthouse") == []
    with session_scope(database) as session:
        save_full_text(session, full.id, "<p>The <b>lighthouse</b> keeper retired.</p>")
    assert search(database, "lighthouse") == ["Keepers"]
    assert search(database, "keeper retired") == ["Keepers"]
    assert sorted(search(database, "teaser")) == ["Keepers", "Keepers (excerpt)"]


def test_sqlite_full_text_index_stays_true_to_edited_and_deleted_bodies(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """FTS5 removes a row's words by reading its old values through the same function:
    after edits, the page text's arrival and deletes, the index must hold exactly what
    the rows hold. (SQLite's
    own index, whatever the run's backend: PostgreSQL's column is generated.)"""
    from models import migrate
    from models.db import make_database

    url = f"sqlite:///{tmp_path / 'search.db'}"
    migrate.upgrade(url)
    database = make_database(url)

    def index_is_true() -> None:
        with session_scope(database) as session:   # raises on any disagreement
            session.execute(text("INSERT INTO articles_fts(articles_fts, rank) "
                                 "VALUES ('integrity-check', 1)"))

    try:
        article = ArticleRows(database).article("Harbour vote", content_html=MARKED_UP_BODY)
        index_is_true()
        with session_scope(database) as session:
            session.execute(text("UPDATE articles SET content_html = :body WHERE id = :id"),
                            {"body": "<p>The ferry &amp; the <b>tide</b>.</p>",
                             "id": article.id})
        index_is_true()
        assert search(database, "ferry") == ["Harbour vote"]
        assert search(database, "council") == []
        with session_scope(database) as session:
            save_full_text(session, article.id, "<p>The ferry &amp; the <i>pier</i>.</p>")
        index_is_true()
        assert search(database, "pier") == ["Harbour vote"]
        with session_scope(database) as session:
            session.execute(text("DELETE FROM articles WHERE id = :id"), {"id": article.id})
        index_is_true()
        assert search(database, "ferry") == []
    finally:
        database.engine.dispose()


def test_migration_0014_reindexes_sqlite_bodies_as_the_text_readers_see(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """An article indexed before 0014 (its feed's body, markup and all) is indexed after
    it by the text of the body readers see (the page's text fetched for it), and as
    before again after a step back."""
    from models import migrate
    from models.db import make_database

    url = f"sqlite:///{tmp_path / 'search.db'}"
    migrate.upgrade(url, "0013_search_merge_less_often")
    database = make_database(url)
    try:
        ArticleRows(database).article("Harbour vote", content_html=MARKED_UP_BODY,
                                      full_text_html="<p>The council met at the pier.</p>")

        def matches(word: str) -> bool:
            with session_scope(database, write=False) as session:
                return session.execute(text(
                    "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH :word"),
                    {"word": f'"{word}"'}).scalar_one() == 1

        assert matches("uploads") and matches("council") and not matches("pier")
        migrate.upgrade(url)
        assert not matches("uploads") and matches("council") and matches("pier")
        with session_scope(database) as session:
            session.execute(text("INSERT INTO articles_fts(articles_fts, rank) "
                                 "VALUES ('integrity-check', 1)"))
        migrate.downgrade(url, "0013_search_merge_less_often")
        assert matches("uploads") and matches("council") and not matches("pier")
    finally:
        database.engine.dispose()
