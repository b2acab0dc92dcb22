"""A whole poll — lock, fetch, parse, clean, classify, store — against a loopback HTTP
server and the run's real database and Redis."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import redis
from pytest_httpserver import HTTPServer
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import select
from werkzeug import Request, Response

from hopper import content_version
from hopper.settings import Settings
from models import article_writes
from models.articles import Article
from models.base import utcnow
from models.db import Database, session_scope
from models.sections import Section
from models.sources import Source
from models.tags import Tag
from tests.hanging import raw_host
from tests.sources import add_source, article_count
from tests.workers.ingest.conftest import TEST_LIMITS, rss
from tests.workers.ingest.steps.test_fetch import gzip_bomb
from workers.ingest.pipeline import ingest_source
from workers.ingest.steps.fetch import FeedClient
from workers.ingest.steps.store import StoreResult, begin_poll, claim_due_sources

RSS_WITH_TAGS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Tagged</title>
<link>http://example.test/</link>
<item><guid>t1</guid><title>Budget vote</title><link>http://example.test/t1</link>
<category>Politics</category><category>Economy</category>
<description>Parliament votes.</description></item>
</channel></rss>"""


def source_row(database: Database, source_id: int) -> Source:
    with database.reader() as session:
        source = session.get(Source, source_id)
        assert source is not None
        return source


def articles_of(database: Database, source_id: int) -> list[Article]:
    with database.reader() as session:
        return list(session.scalars(select(Article).where(Article.source_id == source_id)
                                    .order_by(Article.entry_key)))


def poll(source_id: int, database: Database, redis_client: redis.Redis, http: FeedClient,
         **options: object) -> StoreResult:
    return ingest_source(source_id, database=database, redis_client=redis_client, http=http,
                         limits=TEST_LIMITS, **options)  # type: ignore[arg-type]


@pytest.fixture
def run(database: Database, redis_client: redis.Redis, http: FeedClient):  # type: ignore[no-untyped-def]
    def run_poll(source_id: int, **options: object) -> StoreResult:
        return poll(source_id, database, redis_client, http, **options)
    return run_poll


# --- a healthy feed -------------------------------------------------------------------

def test_first_poll_stores_the_articles_and_the_sources_bookkeeping(
        httpserver: HTTPServer, database: Database, redis_client: redis.Redis, run) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        rss(("a", "First"), ("b", "Second"), title="Example News"),
        content_type="application/rss+xml", headers={"ETag": '"v1"'})
    source_id = add_source(database, httpserver.url_for("/feed"))
    version = content_version.current(redis_client)

    result = run(source_id)

    assert (result.outcome, result.new, result.updated, result.unchanged) == ("ok", 2, 0, 0)
    assert [a.title for a in articles_of(database, source_id)] == ["First", "Second"]
    source = source_row(database, source_id)
    assert source.status == "ok" and source.last_error is None
    assert source.name == "Example News"
    assert source.site_url == "http://example.test/"
    assert source.etag == '"v1"'
    assert source.unfinished_polls == 0
    assert source.last_polled_at is not None and source.last_new_entry_at is not None
    assert source.next_poll_at > utcnow() + timedelta(minutes=TEST_LIMITS.min_interval_minutes)
    assert content_version.current(redis_client) == version + 1


def test_second_poll_sends_etag_and_stores_nothing_on_304(
        httpserver: HTTPServer, database: Database, redis_client: redis.Redis, run) -> None:
    def handler(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response(rss(("a", "First")), headers={"ETag": '"v1"'})

    httpserver.expect_request("/feed").respond_with_handler(handler)
    source_id = add_source(database, httpserver.url_for("/feed"))
    run(source_id)
    first_polled_at = source_row(database, source_id).last_polled_at
    version = content_version.current(redis_client)
    with database.writer() as session, session.begin():   # someone edits the row…
        session.get(Source, source_id).name = "Renamed"

    result = run(source_id, force=True)

    assert (result.outcome, result.new, result.updated) == ("not_modified", 0, 0)
    assert httpserver.log[-1][1].status_code == 304
    assert len(articles_of(database, source_id)) == 1
    assert content_version.current(redis_client) == version
    source = source_row(database, source_id)
    assert source.etag == '"v1"' and source.last_polled_at > first_polled_at
    assert source.name == "Renamed"          # a feed title never overwrites a name


def test_last_modified_round_trips_to_a_304(httpserver: HTTPServer, database: Database,
                                            run) -> None:
    stamp = "Mon, 02 Nov 2026 10:00:00 GMT"

    def handler(request: Request) -> Response:
        if request.headers.get("If-Modified-Since") == stamp:
            return Response(status=304)
        return Response(rss(("a", "First")), headers={"Last-Modified": stamp})

    httpserver.expect_request("/feed").respond_with_handler(handler)
    source_id = add_source(database, httpserver.url_for("/feed"))
    assert run(source_id).new == 1
    assert run(source_id).outcome == "not_modified"
    assert source_row(database, source_id).last_modified == stamp


def test_rerunning_a_poll_without_validators_writes_nothing_new(
        httpserver: HTTPServer, database: Database, redis_client: redis.Redis, run) -> None:
    httpserver.expect_request("/feed").respond_with_data(rss(("a", "First"), ("b", "Second")))
    source_id = add_source(database, httpserver.url_for("/feed"))
    run(source_id)
    before = {a.id: a.modified_at for a in articles_of(database, source_id)}
    version = content_version.current(redis_client)

    result = run(source_id)

    assert (result.new, result.updated, result.unchanged) == (0, 0, 2)
    assert {a.id: a.modified_at for a in articles_of(database, source_id)} == before
    assert content_version.current(redis_client) == version


def test_duplicate_guids_inside_one_feed_store_one_article(
        httpserver: HTTPServer, database: Database, run) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        rss(("same", "Once"), ("same", "Twice"), ("other", "Other")))
    source_id = add_source(database, httpserver.url_for("/feed"))
    result = run(source_id)
    assert result.new == 2
    assert len(articles_of(database, source_id)) == 2


def _items(*items: tuple[str, str, str]) -> bytes:
    """RSS with (guid, title, link) items, dated like `rss`."""
    body = "".join(f'<item><guid isPermaLink="false">{guid}</guid><title>{title}</title>'
                   f"<link>{link}</link><description>About {title}</description>"
                   f"<pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate></item>"
                   for guid, title, link in items)
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
            f"<link>http://example.test/</link>{body}</channel></rss>").encode()


def test_items_sharing_one_guid_with_different_links_are_all_stored(
        httpserver: HTTPServer, database: Database, run) -> None:
    """Some CMSes put the site's URL in every guid."""
    site = "http://example.test/"
    httpserver.expect_request("/feed").respond_with_data(_items(
        (site, "First story", site + "1"), (site, "Second story", site + "2"),
        (site, "Third story", site + "3")))
    source_id = add_source(database, httpserver.url_for("/feed"))
    assert run(source_id).new == 3
    assert sorted(a.title for a in articles_of(database, source_id)) == \
        ["First story", "Second story", "Third story"]
    again = run(source_id)
    assert (again.new, again.unchanged) == (0, 3)
    httpserver.clear()                     # two fell off: the one left is the same article
    httpserver.expect_request("/feed").respond_with_data(_items(
        (site, "First story", site + "1")))
    assert (run(source_id).new, len(articles_of(database, source_id))) == (0, 3)


def test_a_guid_that_changes_every_poll_updates_the_same_article(
        httpserver: HTTPServer, database: Database, run) -> None:
    link = "http://example.test/cg/1"
    source_id = add_source(database, httpserver.url_for("/feed"))
    for poll_number in (1, 2, 3):
        httpserver.clear()
        httpserver.expect_request("/feed").respond_with_data(_items(
            (f"cg-1-{poll_number}", "Same story", link)))
        result = run(source_id)
        assert result.new == (1 if poll_number == 1 else 0)
    [article] = articles_of(database, source_id)
    assert (article.title, article.url, article.entry_key) == ("Same story", link, "cg-1-1")


def test_a_shared_homepage_link_with_a_different_title_is_a_new_article(
        httpserver: HTTPServer, database: Database, run) -> None:
    home = "http://example.test/"
    source_id = add_source(database, httpserver.url_for("/feed"))
    httpserver.expect_request("/feed").respond_with_data(_items(("a", "Morning news", home)))
    run(source_id)
    httpserver.clear()
    httpserver.expect_request("/feed").respond_with_data(_items(("b", "Evening news", home)))
    assert run(source_id).new == 1
    assert [a.title for a in articles_of(database, source_id)] == ["Morning news",
                                                                    "Evening news"]


def test_an_entry_older_than_the_retention_window_is_never_stored(
        httpserver: HTTPServer, database: Database, redis_client: redis.Redis,
        http: FeedClient) -> None:
    """Retention would delete it and the next poll store it again as new, its address
    flipping to 410 in between, for ever: a date of 1900, a back catalogue."""
    recent = (utcnow() - timedelta(days=3)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    old = (utcnow() - timedelta(days=91)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    items = [("y1900", "From 1900", "Mon, 01 Jan 1900 10:00:00 GMT"),
             ("old", "Last season", old), ("new", "This week", recent)]
    body = "".join(f"<item><guid>{guid}</guid><title>{title}</title>"
                   f"<link>http://example.test/{guid}</link><pubDate>{date}</pubDate></item>"
                   for guid, title, date in items)
    httpserver.expect_request("/feed").respond_with_data(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{body}'
        "</channel></rss>")
    source_id = add_source(database, httpserver.url_for("/feed"))
    limits = replace(TEST_LIMITS, retention_days=90)
    for new in (1, 0):
        result = ingest_source(source_id, database=database, redis_client=redis_client,
                               http=http, limits=limits)
        assert (result.outcome, result.new) == ("ok", new)
        assert [a.title for a in articles_of(database, source_id)] == ["This week"]


def test_a_feed_of_only_old_entries_counts_them_and_notes_it_on_the_source(
        httpserver: HTTPServer, database: Database, redis_client: redis.Redis,
        http: FeedClient) -> None:
    old = rss(("a", "A"), ("b", "B")).replace(b"Mon, 02 Nov 2026", b"Mon, 01 Jan 1900")
    httpserver.expect_request("/feed").respond_with_data(old)
    source_id = add_source(database, httpserver.url_for("/feed"))
    limits = replace(TEST_LIMITS, retention_days=90)
    for _ in range(2):
        result = ingest_source(source_id, database=database, redis_client=redis_client,
                               http=http, limits=limits)
        assert (result.outcome, result.new, result.unchanged, result.skipped_old) == \
            ("ok", 0, 0, 2)
        source = source_row(database, source_id)
        assert source.status == "ok" and source.error_count == 0
        assert source.last_error == ("nothing stored: the feed's 2 entries were published "
                                     "more than 90 days ago (HOPPER_RETENTION_DAYS)")
    httpserver.clear()
    recent = (utcnow() - timedelta(days=1)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    httpserver.expect_request("/feed").respond_with_data(old.replace(
        b"</channel>", f"<item><guid>c</guid><title>C</title><pubDate>{recent}</pubDate>"
                       f"</item></channel>".encode()))
    result = ingest_source(source_id, database=database, redis_client=redis_client,
                           http=http, limits=limits)
    assert (result.new, result.skipped_old) == (1, 2)
    assert source_row(database, source_id).last_error is None


def test_an_entry_updated_in_place_rewrites_its_row(httpserver: HTTPServer,
                                                    database: Database, run) -> None:
    httpserver.expect_request("/feed").respond_with_data(rss(("a", "Draft title")))
    source_id = add_source(database, httpserver.url_for("/feed"))
    run(source_id)
    [before] = articles_of(database, source_id)
    httpserver.clear()
    httpserver.expect_request("/feed").respond_with_data(rss(("a", "Final title")))

    result = run(source_id)

    assert (result.new, result.updated) == (0, 1)
    [after] = articles_of(database, source_id)
    assert after.id == before.id and after.title == "Final title"
    assert after.content_hash != before.content_hash
    assert after.created_at == before.created_at and after.modified_at > before.modified_at


def test_tags_are_created_once_and_linked(httpserver: HTTPServer, database: Database,
                                          run) -> None:
    httpserver.expect_request("/feed").respond_with_data(RSS_WITH_TAGS)
    first = add_source(database, httpserver.url_for("/feed"))
    second = add_source(database, httpserver.url_for("/feed") + "?copy")
    run(first)
    run(second)
    with database.reader() as session:
        assert sorted(session.scalars(select(Tag.slug))) == ["economy", "politics"]
        article = session.scalars(select(Article).where(Article.source_id == second)).one()
        assert [tag.name for tag in article.tags] == ["Economy", "Politics"]


def test_a_rewritten_article_gets_exactly_its_new_tags(httpserver: HTTPServer,
                                                       database: Database, run) -> None:
    httpserver.expect_request("/feed").respond_with_data(RSS_WITH_TAGS)
    source_id = add_source(database, httpserver.url_for("/feed"))
    run(source_id)
    httpserver.clear()
    httpserver.expect_request("/feed").respond_with_data(
        RSS_WITH_TAGS.replace(b"<category>Economy</category>", b"<category>Tax</category>")
        .replace(b"Parliament votes.", b"Parliament votes again."))
    assert run(source_id).updated == 1
    with database.reader() as session:
        article = session.scalars(select(Article)).one()
        assert [tag.name for tag in article.tags] == ["Politics", "Tax"]


def test_section_keywords_move_articles_out_of_the_sources_section(
        httpserver: HTTPServer, database: Database, run) -> None:
    with session_scope(database) as session:
        news = Section(slug="news", name="News")
        money = Section(slug="money", name="Money", keywords="budget")
        session.add_all([news, money])
        session.flush()
        news_id, money_id = news.id, money.id
    httpserver.expect_request("/feed").respond_with_data(
        RSS_WITH_TAGS.replace(b"</channel>", b"<item><guid>t2</guid><title>Storm</title>"
                                             b"</item></channel>"))
    source_id = add_source(database, httpserver.url_for("/feed"), section_id=news_id)
    run(source_id)
    sections = {a.title: a.section_id for a in articles_of(database, source_id)}
    assert sections == {"Budget vote": money_id, "Storm": news_id}


def test_a_10000_entry_feed_is_stored_and_rerun_idempotently(
        httpserver: HTTPServer, database: Database, redis_client: redis.Redis,
        settings: Settings) -> None:
    items = [(f"id-{n}", f"Entry {n}") for n in range(10_000)]
    httpserver.expect_request("/feed").respond_with_data(rss(*items))
    source_id = add_source(database, httpserver.url_for("/feed"))
    http = FeedClient.from_settings(settings)          # production limits (20 MB body)

    def run(source_id: int) -> StoreResult:
        return poll(source_id, database, redis_client, http)

    result = run(source_id)
    assert result.outcome == "ok", result.error
    assert result.new == 10_000
    assert article_count(database) == 10_000
    again = run(source_id)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 10_000)
    assert article_count(database) == 10_000


# --- redirects ------------------------------------------------------------------------

def test_301_replaces_the_stored_url(httpserver: HTTPServer, database: Database,
                                     run) -> None:
    httpserver.expect_request("/old").respond_with_data(
        "", status=301, headers={"Location": "/new"})
    httpserver.expect_request("/new").respond_with_data(rss(("a", "First")))
    source_id = add_source(database, httpserver.url_for("/old"))
    assert run(source_id).outcome == "ok"
    assert source_row(database, source_id).url == httpserver.url_for("/new")


def test_301_to_an_unchanged_feed_replaces_the_stored_url_too(
        httpserver: HTTPServer, database: Database, run) -> None:
    """The feed moved but did not change: its new address answers the validators the old
    one earned with 304, and the source must still move, not go through the redirect on
    every poll until the feed changes."""
    last_modified = "Mon, 23 Nov 2026 10:00:00 GMT"
    httpserver.expect_ordered_request("/old").respond_with_data(
        rss(("a", "First")), headers={"Last-Modified": last_modified})
    httpserver.expect_ordered_request("/old").respond_with_data(
        "", status=301, headers={"Location": "/new"})
    httpserver.expect_ordered_request(
        "/new", headers={"If-Modified-Since": last_modified}).respond_with_data(
        "", status=304)
    source_id = add_source(database, httpserver.url_for("/old"))
    assert run(source_id).new == 1
    assert run(source_id).outcome == "not_modified"
    assert source_row(database, source_id).url == httpserver.url_for("/new")
    httpserver.check_assertions()


def test_302_keeps_the_stored_url(httpserver: HTTPServer, database: Database, run) -> None:
    httpserver.expect_request("/old").respond_with_data(
        "", status=302, headers={"Location": "/new"})
    httpserver.expect_request("/new").respond_with_data(rss(("a", "First")))
    source_id = add_source(database, httpserver.url_for("/old"))
    assert run(source_id).new == 1
    assert source_row(database, source_id).url == httpserver.url_for("/old")


def test_a_301_onto_another_sources_url_pauses_it_as_a_duplicate_storing_nothing(
        httpserver: HTTPServer, database: Database, run) -> None:
    httpserver.expect_request("/old").respond_with_data(
        "", status=308, headers={"Location": "/new"})
    httpserver.expect_request("/new").respond_with_data(rss(("a", "First")))
    source_id = add_source(database, httpserver.url_for("/old"))
    other_id = add_source(database, httpserver.url_for("/new"))
    result = run(source_id)
    source = source_row(database, source_id)
    assert source.url == httpserver.url_for("/old")
    assert source.status == "paused"
    assert (source.last_error or "").startswith(f"duplicate of source {other_id}: ")
    assert result.outcome == "failed" and result.new == 0
    assert articles_of(database, source_id) == []


def test_a_source_moved_onto_another_never_copies_its_articles(
        httpserver: HTTPServer, database: Database, run) -> None:
    """The tester's case: A and B both ingested, then A answers 301 to B's URL."""
    httpserver.expect_request("/moved.xml").respond_with_data(rss(("a1", "A one")))
    httpserver.expect_request("/target.xml").respond_with_data(
        rss(("b1", "B one"), ("b2", "B two")))
    a_id = add_source(database, httpserver.url_for("/moved.xml"))
    b_id = add_source(database, httpserver.url_for("/target.xml"))
    assert (run(a_id).new, run(b_id).new) == (1, 2)
    httpserver.clear()
    httpserver.expect_request("/moved.xml").respond_with_data(
        "", status=301, headers={"Location": "/target.xml"})
    httpserver.expect_request("/target.xml").respond_with_data(
        rss(("b1", "B one"), ("b2", "B two"), ("b3", "B three")))
    result = run(a_id)
    assert (result.outcome, result.new) == ("failed", 0)
    assert [article.entry_key for article in articles_of(database, a_id)] == ["a1"]
    moved = source_row(database, a_id)
    assert moved.status == "paused" and moved.url == httpserver.url_for("/moved.xml")
    assert f"duplicate of source {b_id}" in (moved.last_error or "")
    assert claim_due_sources(database, now=utcnow() + timedelta(days=9), limits=TEST_LIMITS,
                             limit=10) == [b_id]


# --- failures -------------------------------------------------------------------------

def test_410_marks_the_source_gone_and_it_is_never_polled_again(
        httpserver: HTTPServer, database: Database, run) -> None:
    httpserver.expect_request("/feed").respond_with_data("", status=410)
    source_id = add_source(database, httpserver.url_for("/feed"))
    assert run(source_id).outcome == "gone"
    source = source_row(database, source_id)
    assert source.status == "gone" and "410" in (source.last_error or "")
    far_future = utcnow() + timedelta(days=365)
    assert claim_due_sources(database, now=far_future, limits=TEST_LIMITS, limit=10) == []
    assert run(source_id).outcome == "skipped"
    assert len(httpserver.log) == 1


def test_404_counts_up_and_backs_off_exponentially(httpserver: HTTPServer,
                                                   database: Database, run) -> None:
    httpserver.expect_request("/feed").respond_with_data("", status=404)
    source_id = add_source(database, httpserver.url_for("/feed"))
    delays = []
    for expected_count in (1, 2, 3):
        started = utcnow()
        assert run(source_id).outcome == "failed"
        source = source_row(database, source_id)
        assert source.status == "failing" and source.error_count == expected_count
        assert "HTTP 404" in (source.last_error or "")
        delays.append(source.next_poll_at - started)
    assert delays[0] < delays[1] < delays[2]


def test_a_success_after_failures_resets_the_count(httpserver: HTTPServer,
                                                   database: Database, run) -> None:
    httpserver.expect_request("/feed").respond_with_data("", status=500)
    source_id = add_source(database, httpserver.url_for("/feed"))
    run(source_id)
    httpserver.clear()
    httpserver.expect_request("/feed").respond_with_data(rss(("a", "A")))
    run(source_id)
    source = source_row(database, source_id)
    assert (source.status, source.error_count, source.last_error) == ("ok", 0, None)


def test_429_waits_for_retry_after_and_never_counts_against_the_feed(
        httpserver: HTTPServer, database: Database, run) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        "", status=429, headers={"Retry-After": "7200"})
    source_id = add_source(database, httpserver.url_for("/feed"))
    for _ in range(5):
        assert run(source_id, force=True).outcome == "rate_limited"
    source = source_row(database, source_id)
    assert source.status == "failing" and source.error_count == 0
    assert "429" in (source.last_error or "")
    assert source.next_poll_at >= utcnow() + timedelta(minutes=119)


# A date at the very end of year 9999 in a zone west of UTC is after datetime.max once
# in UTC: converting it raised OverflowError, and the poll ended as 'internal error'.
FAR_DATE = "Fri, 31 Dec 9999 23:59:59 -0100"


@pytest.mark.parametrize("dates", [f"Expires: {FAR_DATE}",
                                   f"Date: {FAR_DATE}\r\nExpires: Mon, 02 Nov 2026 10:00:00 GMT"])
def test_a_date_beyond_year_9999_in_utc_is_no_hint_not_a_failed_poll(
        database: Database, run, dates: str) -> None:
    body = rss(("a", "First"))
    answer = (f"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n{dates}\r\n"
              f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body
    with raw_host(answer) as (base, _requests):
        source_id = add_source(database, base + "/feed")
        result = run(source_id, force=True)
    assert (result.outcome, result.new) == ("ok", 1)
    assert source_row(database, source_id).status == "ok"


def test_a_retry_after_date_beyond_year_9999_in_utc_waits_the_longest(
        httpserver: HTTPServer, database: Database, run) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        "", status=503, headers={"Retry-After": FAR_DATE})
    source_id = add_source(database, httpserver.url_for("/feed"))
    assert run(source_id, force=True).outcome == "rate_limited"
    assert source_row(database, source_id).next_poll_at >= utcnow() + timedelta(hours=23)


def test_a_feed_that_does_not_parse_is_recorded_and_backed_off(
        httpserver: HTTPServer, database: Database, run) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        b"<html><body>Not a feed</body></html>", content_type="text/html")
    source_id = add_source(database, httpserver.url_for("/feed"))
    assert run(source_id).outcome == "failed"
    source = source_row(database, source_id)
    assert source.status == "failing" and source.error_count == 1 and source.last_error


def test_the_ssrf_guard_refuses_loopback_and_pauses_the_source(
        httpserver: HTTPServer, database: Database, redis_client: redis.Redis,
        guarded_http: FeedClient) -> None:
    httpserver.expect_request("/feed").respond_with_data(rss(("a", "A")))
    source_id = add_source(database, httpserver.url_for("/feed"))
    result = poll(source_id, database, redis_client, guarded_http)
    assert result.outcome == "failed"
    source = source_row(database, source_id)
    assert source.status == "paused"                     # permanent: never retried
    assert "not a public address" in (source.last_error or "")
    assert httpserver.log == []
    assert claim_due_sources(database, now=utcnow() + timedelta(days=9), limits=TEST_LIMITS,
                             limit=10) == []


def test_allowing_private_networks_a_feed_redirected_to_metadata_is_paused(
        httpserver: HTTPServer, database: Database, run) -> None:
    """The run allows private networks (loopback test server); a 301 to the metadata
    address is still refused before connecting and the source paused with the reason."""
    httpserver.expect_request("/feed").respond_with_data(
        "", status=301, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    source_id = add_source(database, httpserver.url_for("/feed"))
    assert run(source_id).outcome == "failed"
    source = source_row(database, source_id)
    assert source.status == "paused"
    assert "169.254.169.254 is not a public address" in (source.last_error or "")
    assert "never fetched" in (source.last_error or "")
    assert len(httpserver.log) == 1 and articles_of(database, source_id) == []


def test_hostile_sources_leave_the_others_unaffected(httpserver: HTTPServer,
                                                     database: Database, run) -> None:
    httpserver.expect_request("/bomb").respond_with_data(
        gzip_bomb(50 * 1024 * 1024), headers={"Content-Encoding": "gzip"})
    httpserver.expect_request("/huge").respond_with_data(b"<rss>" + b"x" * 2_000_000)
    httpserver.expect_request("/loop").respond_with_data(
        "", status=302, headers={"Location": "/loop"})
    httpserver.expect_request("/slow").respond_with_handler(
        lambda request: (time.sleep(2), Response(rss(("s", "Slow"))))[1])
    httpserver.expect_request("/good").respond_with_data(rss(("g", "Good")))
    hostile = {name: add_source(database, httpserver.url_for(f"/{name}"))
               for name in ("bomb", "huge", "loop", "slow")}
    good = add_source(database, httpserver.url_for("/good"))

    results = {name: run(source_id) for name, source_id in hostile.items()}
    results["good"] = run(good)

    assert {name: r.outcome for name, r in results.items()} == {
        "bomb": "failed", "huge": "failed", "loop": "failed", "slow": "failed", "good": "ok"}
    assert "decompression" in (results["bomb"].error or "")
    assert "larger than" in (results["huge"].error or "")
    assert "redirects" in (results["loop"].error or "")
    assert "did not answer" in (results["slow"].error or "")
    assert [a.title for a in articles_of(database, good)] == ["Good"]
    for source_id in hostile.values():
        assert source_row(database, source_id).status == "failing"


# --- crashes and concurrency ----------------------------------------------------------

def test_a_crash_while_storing_leaves_nothing_half_written(
        httpserver: HTTPServer, database: Database, monkeypatch: pytest.MonkeyPatch,
        run) -> None:
    httpserver.expect_request("/feed").respond_with_data(RSS_WITH_TAGS,
                                                         headers={"ETag": '"v1"'})
    source_id = add_source(database, httpserver.url_for("/feed"))

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("power cut after the articles were written")

    monkeypatch.setattr(article_writes, "replace_tag_links", crash)
    with pytest.raises(RuntimeError):
        run(source_id)
    assert article_count(database) == 0                  # the upsert was rolled back
    source = source_row(database, source_id)
    assert source.etag is None and source.last_polled_at is None
    assert source.unfinished_polls == 1                   # the poll started, never finished

    monkeypatch.undo()
    assert run(source_id).new == 1
    assert article_count(database) == 1
    assert source_row(database, source_id).unfinished_polls == 0


def test_a_source_that_keeps_killing_polls_is_quarantined(database: Database) -> None:
    source_id = add_source(database, "http://example.test/feed", unfinished_polls=3)
    now = utcnow()
    assert begin_poll(database, source_id, now=now, limits=TEST_LIMITS) is None
    source = source_row(database, source_id)
    assert source.status == "failing" and "quarantined" in (source.last_error or "")
    assert source.unfinished_polls == 0
    assert source.next_poll_at >= now + timedelta(minutes=TEST_LIMITS.max_backoff_minutes)


def test_two_threads_polling_one_source_store_one_set(
        httpserver: HTTPServer, database: Database, redis_client: redis.Redis,
        settings: Settings) -> None:
    def slow(request: Request) -> Response:
        time.sleep(0.5)                          # both polls overlap here
        return Response(rss(("a", "A"), ("b", "B")))

    httpserver.expect_request("/feed").respond_with_handler(slow)
    source_id = add_source(database, httpserver.url_for("/feed"))
    results: list[StoreResult] = []
    start = threading.Barrier(2)

    def worker() -> None:
        client = FeedClient.from_settings(settings)
        start.wait()
        results.append(poll(source_id, database, redis_client, client))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.outcome for r in results) == ["locked", "ok"]
    assert len(httpserver.log) == 1
    assert article_count(database) == 2


def test_the_store_upsert_is_safe_without_the_lock(
        httpserver: HTTPServer, database: Database, redis_client: redis.Redis,
        settings: Settings) -> None:
    """Even if two polls overlapped (a lock lost to expiry), the unique constraint keeps
    one row per entry."""
    from workers.ingest.pipeline import poll_feed
    from workers.ingest.steps.store import store_update

    httpserver.expect_request("/feed").respond_with_data(rss(("a", "A"), ("b", "B")))
    source_id = add_source(database, httpserver.url_for("/feed"))
    client = FeedClient.from_settings(settings)
    plan = begin_poll(database, source_id, now=utcnow(), limits=TEST_LIMITS)
    assert plan is not None
    updates = [poll_feed(plan.snapshot, http=client, rules=(), now=utcnow())
               for _ in range(2)]
    for update in updates:
        store_update(database, redis_client, update, limits=TEST_LIMITS)
    assert article_count(database) == 2


def test_an_article_another_poll_stored_after_the_early_read_is_not_stored_twice(
        httpserver: HTTPServer, database: Database, run,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # store.prepare reads the stored hashes before the write transaction; a poll of the
    # same source that stores in between (a lapsed lock) must not make this one count
    # or write its articles again: inside the transaction they are read once more.
    from workers.ingest.steps import store

    httpserver.expect_request("/feed").respond_with_data(
        rss(("a", "First"), ("b", "Second")), content_type="application/rss+xml")
    source_id = add_source(database, httpserver.url_for("/feed"))
    real_prepare = store.prepare

    def prepare_then_lose_the_race(database_: Database, updates, **options):  # type: ignore[no-untyped-def]
        prepared = real_prepare(database_, updates, **options)   # both look new here
        monkeypatch.setattr(store, "prepare", real_prepare)
        store.store_update(database_, None, updates[0], limits=TEST_LIMITS)
        return prepared

    monkeypatch.setattr(store, "prepare", prepare_then_lose_the_race)
    result = run(source_id)

    assert (result.outcome, result.new, result.updated, result.unchanged) == ("ok", 0, 0, 2)
    stored = articles_of(database, source_id)
    assert [article.title for article in stored] == ["First", "Second"]
    assert all(article.story_id is not None for article in stored)


# --- the beat tick --------------------------------------------------------------------

def test_claiming_due_sources_takes_each_once(database: Database) -> None:
    now = utcnow()
    due = [add_source(database, f"http://example.test/{n}",
                      next_poll_at=now - timedelta(minutes=n)) for n in range(3)]
    add_source(database, "http://example.test/later", next_poll_at=now + timedelta(hours=1))
    add_source(database, "http://example.test/paused", status="paused",
               next_poll_at=now - timedelta(hours=1))
    failing = add_source(database, "http://example.test/failing", status="failing",
                         next_poll_at=now - timedelta(hours=2))

    first = claim_due_sources(database, now=now, limits=TEST_LIMITS, limit=100)
    second = claim_due_sources(database, now=now, limits=TEST_LIMITS, limit=100)

    assert first == sorted([*due, failing])
    assert second == []
    assert source_row(database, due[0]).next_poll_at > now + timedelta(minutes=5)


def test_claiming_respects_the_limit_most_overdue_first(database: Database) -> None:
    now = datetime.now(UTC)
    ids = [add_source(database, f"http://example.test/{n}",
                      next_poll_at=now - timedelta(minutes=n)) for n in range(5)]
    assert claim_due_sources(database, now=now, limits=TEST_LIMITS, limit=2) == \
        sorted(ids[-2:])


def test_no_database_transaction_is_open_while_fetching(
        httpserver: HTTPServer, database: Database, run) -> None:
    """While the server is answering, another writer can update the very source row
    being polled at once: neither SQLite's write lock nor a PostgreSQL row lock is held."""
    source_id = add_source(database, "http://placeholder.test/")
    waited: list[float] = []

    def handler(request: Request) -> Response:
        started = time.monotonic()
        with session_scope(database) as session:
            session.get(Source, source_id).name = "Edited during the fetch"
        waited.append(time.monotonic() - started)
        return Response(rss(("a", "A")))

    httpserver.expect_request("/feed").respond_with_handler(handler)
    with session_scope(database) as session:
        session.get(Source, source_id).url = httpserver.url_for("/feed")
    assert run(source_id).outcome == "ok"
    assert waited and waited[0] < 1.0
    assert source_row(database, source_id).name == "Edited during the fetch"


def test_a_poll_reports_how_long_the_fetch_took(
        httpserver: HTTPServer, database: Database, run) -> None:
    def slow(request: Request) -> Response:
        time.sleep(0.2)
        return Response(rss(("a", "First")), content_type="application/rss+xml")

    httpserver.expect_request("/feed").respond_with_handler(slow)
    result = run(add_source(database, httpserver.url_for("/feed")))
    assert result.outcome == "ok"
    assert result.fetch_seconds is not None and result.fetch_seconds >= 0.2


def test_articles_stay_stored_when_redis_fails_after_the_commit(
        httpserver: HTTPServer, database: Database, redis_client: redis.Redis, http, tmp_path,
        monkeypatch) -> None:
    """Redis going away mid-poll loses nothing: the commit happened, the content-version
    bump and the lock release are best effort (caches and locks expire by themselves)."""
    from workers.ingest.steps import store

    httpserver.expect_request("/feed").respond_with_data(
        rss(("a", "First"), ("b", "Second")), content_type="application/rss+xml")
    source_id = add_source(database, httpserver.url_for("/feed"))
    dead = redis.Redis(unix_socket_path=str(tmp_path / "gone.sock"),
                       retry=Retry(NoBackoff(), retries=0))   # refused once is enough
    # The lock is taken while Redis answers; the commit's follow-ups meet a dead server.
    real_store_update = store.store_update

    def store_then_lose_redis(database_, _client, update, *, limits):  # type: ignore[no-untyped-def]
        return real_store_update(database_, dead, update, limits=limits)

    monkeypatch.setattr("workers.ingest.pipeline.store_update", store_then_lose_redis)
    result = poll(source_id, database, redis_client, http)
    assert (result.outcome, result.new) == ("ok", 2)
    assert len(articles_of(database, source_id)) == 2


def _feed_with_image(title: str, image: str) -> bytes:
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item>'
            f"<guid>a</guid><title>{title}</title><link>http://example.test/a</link>"
            f'<enclosure url="{image}" type="image/jpeg" length="1"/></item>'
            "</channel></rss>").encode()


def test_a_rewritten_article_keeps_its_image_check_unless_the_image_changed(
        httpserver: HTTPServer, database: Database, run) -> None:
    from models import article_images
    from models.article_images import ImageCheck
    from models.base import utcnow
    from models.db import session_scope

    def serve(title: str, image: str) -> None:
        httpserver.clear()
        httpserver.expect_request("/feed").respond_with_data(_feed_with_image(title, image))

    serve("First", "https://cdn.example/one.jpg")
    source_id = add_source(database, httpserver.url_for("/feed"))
    run(source_id)
    [article] = articles_of(database, source_id)
    with session_scope(database) as session:
        article_images.record_checks(session, [ImageCheck(
            article.id, "https://cdn.example/one.jpg", "dead", utcnow())])
    serve("Second", "https://cdn.example/one.jpg")          # same image: still dead
    run(source_id)
    assert articles_of(database, source_id)[0].image_status == "dead"
    serve("Third", "https://cdn.example/two.jpg")           # a new image: to be checked
    run(source_id)
    [after] = articles_of(database, source_id)
    assert (after.image_url, after.image_status, after.image_checked_at) == (
        "https://cdn.example/two.jpg", None, None)
