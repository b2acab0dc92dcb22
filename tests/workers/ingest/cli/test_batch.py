"""`ingest_many`, the CLI's batched polls, and the batched store steps beneath it, against
a loopback HTTP server and the run's real database and Redis."""

from __future__ import annotations

import redis
from pytest_httpserver import HTTPServer
from sqlalchemy import select

from hopper import content_version
from models.base import utcnow
from models.db import Database, session_scope
from models.sources import Source
from tests.sources import add_source, article_count
from tests.workers.ingest.conftest import TEST_LIMITS, rss
from tests.workers.ingest.test_pipeline import source_row
from workers.ingest.cli import batch
from workers.ingest.records import FeedUpdate
from workers.ingest.steps.fetch import FeedClient
from workers.ingest.steps.locks import LOCK_PREFIX, source_lock
from workers.ingest.steps.store import begin_polls, store_updates


def run_many(ids: list[int], database: Database, redis_client: redis.Redis,
             http: FeedClient, threads: int = 4):  # type: ignore[no-untyped-def]
    done: list[int] = []
    results = batch.ingest_many(ids, database=database, redis_client=redis_client,
                                http=http, limits=TEST_LIMITS, threads=threads,
                                on_done=lambda group: done.extend(r.source_id for r in group))
    assert sorted(done) == sorted(ids)
    return {result.source_id: result for result in results}


def test_more_sources_than_a_batch_are_each_polled_stored_and_unlocked_once(
        httpserver: HTTPServer, database: Database, redis_client: redis.Redis,
        http: FeedClient) -> None:
    count = batch.BATCH + 9
    for n in range(count):
        httpserver.expect_request(f"/feed/{n}").respond_with_data(
            rss((f"{n}-a", "A"), (f"{n}-b", "B")), headers={"ETag": f'"v{n}"'})
    ids = [add_source(database, httpserver.url_for(f"/feed/{n}")) for n in range(count)]
    version = content_version.current(redis_client)

    results = run_many(ids, database, redis_client, http)

    assert {result.outcome for result in results.values()} == {"ok"}
    assert all(result.new == 2 for result in results.values())
    assert article_count(database) == 2 * count
    assert len(httpserver.log) == count
    assert content_version.current(redis_client) > version
    with database.reader() as session:
        rows = session.scalars(select(Source).where(Source.id.in_(ids))).all()
        assert {(row.unfinished_polls, row.status, row.etag is not None) for row in rows} \
            == {(0, "ok", True)}
    assert not redis_client.keys(f"{LOCK_PREFIX}*")


def test_a_second_run_gets_304s_and_writes_no_article(
        httpserver: HTTPServer, database: Database, redis_client: redis.Redis,
        http: FeedClient) -> None:
    from werkzeug import Request, Response

    def conditional(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response(rss(("a", "A")), headers={"ETag": '"v1"'})

    httpserver.expect_request("/feed").respond_with_handler(conditional)
    source_id = add_source(database, httpserver.url_for("/feed"))
    run_many([source_id], database, redis_client, http)
    version = content_version.current(redis_client)

    again = run_many([source_id], database, redis_client, http)

    assert again[source_id].outcome == "not_modified" and again[source_id].new == 0
    assert content_version.current(redis_client) == version
    assert source_row(database, source_id).unfinished_polls == 0


def test_a_source_a_worker_is_polling_is_reported_locked_and_its_lock_kept(
        httpserver: HTTPServer, database: Database, redis_client: redis.Redis,
        http: FeedClient) -> None:
    httpserver.expect_request("/free").respond_with_data(rss(("a", "A")))
    httpserver.expect_request("/busy").respond_with_data(rss(("b", "B")))
    free = add_source(database, httpserver.url_for("/free"))
    busy = add_source(database, httpserver.url_for("/busy"))
    with source_lock(redis_client, busy, TEST_LIMITS) as worker_holds:
        token = redis_client.get(f"{LOCK_PREFIX}{busy}")
        results = run_many([free, busy], database, redis_client, http)
        assert worker_holds and redis_client.get(f"{LOCK_PREFIX}{busy}") == token
    assert results[free].outcome == "ok" and results[busy].outcome == "locked"
    assert [entry[0].path for entry in httpserver.log] == ["/free"]
    assert source_row(database, busy).unfinished_polls == 0


def test_begin_polls_counts_each_started_poll_and_quarantines_killers(
        database: Database) -> None:
    healthy = add_source(database, "http://example.test/a")
    paused = add_source(database, "http://example.test/b", status="paused")
    killer = add_source(database, "http://example.test/c", unfinished_polls=3)

    plans = begin_polls(database, [killer, paused, healthy, 999_999], now=utcnow(),
                        limits=TEST_LIMITS)

    assert set(plans) == {healthy}
    assert plans[healthy].snapshot.url == "http://example.test/a"
    assert source_row(database, healthy).unfinished_polls == 1
    assert source_row(database, paused).unfinished_polls == 0
    quarantined = source_row(database, killer)
    assert quarantined.status == "failing" and "quarantined" in (quarantined.last_error or "")


def test_storing_a_group_finishes_each_poll_and_reports_a_deleted_source(
        database: Database, redis_client: redis.Redis) -> None:
    kept = add_source(database, "http://example.test/kept")
    deleted = add_source(database, "http://example.test/deleted")
    begin_polls(database, [kept, deleted], now=utcnow(), limits=TEST_LIMITS)
    with session_scope(database) as session:
        session.delete(session.get(Source, deleted))
    now = utcnow()

    results = store_updates(database, redis_client, [
        FeedUpdate(source_id=kept, polled_at=now, outcome="failed", error="HTTP 500"),
        FeedUpdate(source_id=deleted, polled_at=now, outcome="not_modified")],
        limits=TEST_LIMITS)

    assert [(result.source_id, result.outcome) for result in results] == \
        [(kept, "failed"), (deleted, "missing")]
    row = source_row(database, kept)
    assert (row.unfinished_polls, row.error_count, row.last_error) == (0, 1, "HTTP 500")
