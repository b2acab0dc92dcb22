"""Polls across a Redis restart (a real redis-server of this test, persisted to an AOF as
in production), and sources whose poll lock outlived its holder."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from datetime import timedelta

import pytest
import redis
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from models.base import utcnow
from models.db import Database
from tests.ops.servers import RedisServer
from tests.workers.ingest.conftest import TEST_LIMITS, rss
from tests.workers.ingest.test_pipeline import add_source, source_row
from workers.ingest.cli import batch
from workers.ingest.pipeline import ingest_source
from workers.ingest.steps import locks
from workers.ingest.steps.fetch import FeedClient
from workers.ingest.steps.locks import LOCK_PREFIX
from workers.ingest.steps.store import claim_due_sources


@pytest.fixture
def private_redis() -> Iterator[RedisServer]:
    with RedisServer() as server:
        yield server
    locks._unreleased.clear()


def make_due(database: Database, source_id: int) -> None:
    from models.db import session_scope
    from models.sources import Source

    with session_scope(database) as session:
        source = session.get(Source, source_id)
        assert source is not None
        source.next_poll_at = utcnow() - timedelta(seconds=1)


@pytest.mark.parametrize("path", ["task", "batch"])
def test_a_poll_that_stored_while_redis_restarted_does_not_lock_its_source_out(
        path: str, httpserver: HTTPServer, database: Database, http: FeedClient,
        private_redis: RedisServer) -> None:
    """Redis stops while the feed is being fetched (with the poll's lock saved in its
    AOF); the poll stores anyway and cannot release its lock. Once Redis is back, the
    next poll of that source must run, not find it "locked" until the lock expires."""
    def stop_redis_then_answer(request: Request) -> Response:
        if len(httpserver.log) == 0:
            private_redis.kill(signal.SIGTERM)          # graceful: the AOF keeps the lock
        return Response(rss(("a", "A")), headers={"ETag": '"v1"'})

    httpserver.expect_request("/feed").respond_with_handler(stop_redis_then_answer)
    source_id = add_source(database, httpserver.url_for("/feed"))
    client = redis.Redis.from_url(private_redis.url, socket_timeout=1,
                                  socket_connect_timeout=1)

    def poll() -> str:
        if path == "task":
            return ingest_source(source_id, database=database, redis_client=client,
                                 http=http, limits=TEST_LIMITS).outcome
        (result,) = batch.ingest_many([source_id], database=database, redis_client=client,
                                      http=http, limits=TEST_LIMITS, threads=2)
        return result.outcome

    assert poll() == "ok"                                # stored without Redis
    private_redis.start()                                # same port, same AOF
    assert client.exists(f"{LOCK_PREFIX}{source_id}")    # the lock survived the restart
    make_due(database, source_id)

    assert poll() == "ok"                                # polled, not "locked"
    assert len(httpserver.log) == 2
    assert not client.exists(f"{LOCK_PREFIX}{source_id}")


@pytest.mark.parametrize("path", ["task", "batch"])
def test_a_source_locked_by_a_vanished_holder_is_due_again_when_the_lock_lapses(
        path: str, httpserver: HTTPServer, database: Database, redis_client: redis.Redis,
        http: FeedClient) -> None:
    """The tick's claim pushed the source a whole lease ahead; its poll finds a lock
    nobody will release (a holder killed, or whose reply a Redis restart lost). The
    source must come back when that lock lapses, not when the lease ends."""
    httpserver.expect_request("/feed").respond_with_data(rss(("a", "A")))
    source_id = add_source(database, httpserver.url_for("/feed"),
                           next_poll_at=utcnow() - timedelta(seconds=1))
    now = utcnow()
    assert claim_due_sources(database, now=now, limits=TEST_LIMITS, limit=10) == [source_id]
    assert source_row(database, source_id).next_poll_at > now + timedelta(minutes=4)
    redis_client.set(f"{LOCK_PREFIX}{source_id}", b"a vanished holder", ex=40)

    if path == "task":
        outcome = ingest_source(source_id, database=database, redis_client=redis_client,
                                http=http, limits=TEST_LIMITS).outcome
    else:
        (result,) = batch.ingest_many([source_id], database=database,
                                      redis_client=redis_client, http=http,
                                      limits=TEST_LIMITS, threads=2)
        outcome = result.outcome

    assert outcome == "locked" and len(httpserver.log) == 0
    next_poll_at = source_row(database, source_id).next_poll_at
    assert now + timedelta(seconds=30) < next_poll_at <= utcnow() + timedelta(seconds=40)


def test_a_live_holders_later_schedule_is_never_pushed_back(
        database: Database, redis_client: redis.Redis, http: FeedClient) -> None:
    """A source already due sooner than the lock lapses keeps its time."""
    soon = utcnow() + timedelta(seconds=5)
    source_id = add_source(database, "http://127.0.0.1:9/feed", next_poll_at=soon)
    redis_client.set(f"{LOCK_PREFIX}{source_id}", b"a live holder", ex=100)
    assert ingest_source(source_id, database=database, redis_client=redis_client, http=http,
                         limits=TEST_LIMITS).outcome == "locked"
    assert abs(source_row(database, source_id).next_poll_at - soon) < timedelta(seconds=1)
