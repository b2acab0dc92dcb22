"""Polite fetching through the real fetch path: many sources on one host never get more
than HOPPER_PER_HOST_CONCURRENCY requests at once, however many threads poll them; and a
publisher's caching headers, <ttl> or sy:updatePeriod hold the next poll back."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
import redis
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from hopper.settings import Settings
from models.base import utcnow
from models.db import Database
from tests.workers.ingest.conftest import TEST_LIMITS, rss
from tests.workers.ingest.test_pipeline import add_source, source_row
from workers.ingest.cli import batch
from workers.ingest.pipeline import ingest_source
from workers.ingest.steps.fetch import FeedClient
from workers.ingest.steps.schedule import SUCCESS_JITTER


@pytest.fixture
def threaded_server() -> Iterator[HTTPServer]:
    """A loopback server answering requests concurrently, as a publisher's would."""
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


def _poll_twelve_sources_on_one_host(server: HTTPServer, database: Database,
                                     redis_client: redis.Redis, settings: Settings, *,
                                     per_host: int) -> tuple[set[str], int]:
    """Eight threads poll twelve sources of one slow host (0.1 s a request) with
    `per_host` slots: the polls' outcomes and the most requests the host saw at once."""
    at_once = 0
    most = 0
    guard = threading.Lock()

    def slow_feed(request: Request) -> Response:
        nonlocal at_once, most
        with guard:
            at_once += 1
            most = max(most, at_once)
        time.sleep(0.1)
        with guard:
            at_once -= 1
        return Response(rss(("a", "A")))

    server.expect_request("/feed").respond_with_handler(slow_feed)
    ids = [add_source(database, server.url_for("/feed") + f"?n={n}") for n in range(12)]
    limited = replace(settings, limits=TEST_LIMITS, per_host_concurrency=per_host)
    http = FeedClient.from_settings(limited, pool_size=8, redis_client=redis_client)
    try:
        results = batch.ingest_many(ids, database=database, redis_client=redis_client,
                                    http=http, limits=TEST_LIMITS, threads=8)
    finally:
        http.close()
    assert len(server.log) == 12
    return {result.outcome for result in results}, most


def test_eight_threads_polling_one_host_send_it_two_requests_at_a_time(
        threaded_server: HTTPServer, database: Database, redis_client: redis.Redis,
        settings: Settings) -> None:
    outcomes, most = _poll_twelve_sources_on_one_host(threaded_server, database,
                                                      redis_client, settings, per_host=2)
    assert outcomes == {"ok"}
    assert most == 2


def test_without_a_limit_the_same_threads_overlap_freely(
        threaded_server: HTTPServer, database: Database, redis_client: redis.Redis,
        settings: Settings) -> None:
    """The control: the test above would see more than two at once without the slots."""
    outcomes, most = _poll_twelve_sources_on_one_host(threaded_server, database,
                                                      redis_client, settings, per_host=64)
    assert outcomes == {"ok"}
    assert most > 2


def _poll(source_id: int, database: Database, redis_client: redis.Redis,
          http: FeedClient) -> str:
    return ingest_source(source_id, database=database, redis_client=redis_client, http=http,
                         limits=TEST_LIMITS).outcome


@pytest.mark.parametrize(("headers", "channel", "wait"), [
    ({"Cache-Control": "max-age=10800"}, "", timedelta(hours=3)),
    ({}, "<ttl>240</ttl>", timedelta(hours=4)),
    ({}, "<sy:updatePeriod xmlns:sy='http://purl.org/rss/1.0/modules/syndication/'>weekly"
         "</sy:updatePeriod>", timedelta(hours=24)),             # capped at a day
])
def test_a_publishers_wait_holds_the_next_poll_back_even_after_a_bare_304(
        headers: dict[str, str], channel: str, wait: timedelta, httpserver: HTTPServer,
        database: Database, redis_client: redis.Redis, http: FeedClient) -> None:
    body = rss(("a", "A")).replace(b"<link>http://example.test/</link>",
                                   b"<link>http://example.test/</link>" + channel.encode())

    def feed(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304)                 # says nothing about caching
        return Response(body, headers={"ETag": '"v1"', **headers})

    httpserver.expect_request("/feed").respond_with_handler(feed)
    source_id = add_source(database, httpserver.url_for("/feed"))

    before = utcnow()
    assert _poll(source_id, database, redis_client, http) == "ok"
    row = source_row(database, source_id)
    assert row.next_poll_at >= before + wait
    assert row.interval_minutes >= wait.total_seconds() / 60

    # A bare 304 says nothing: the interval keeps the wait, and the next poll is the
    # interval with its usual jitter (a 304 carrying Cache-Control holds it strictly).
    before = utcnow()
    assert _poll(source_id, database, redis_client, http) == "not_modified"
    row = source_row(database, source_id)
    assert row.interval_minutes >= wait.total_seconds() / 60
    assert row.next_poll_at >= before + wait * (1 - SUCCESS_JITTER)


def test_without_a_publishers_word_the_adaptive_interval_rules(
        httpserver: HTTPServer, database: Database, redis_client: redis.Redis,
        http: FeedClient) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        rss(("a", "A")), headers={"Cache-Control": "no-cache, max-age=86400"})
    source_id = add_source(database, httpserver.url_for("/feed"))
    before = utcnow()
    assert _poll(source_id, database, redis_client, http) == "ok"
    assert source_row(database, source_id).next_poll_at < before + timedelta(hours=1)


def test_a_host_whose_slots_stay_taken_fails_the_poll_as_a_timeout_and_backs_off(
        httpserver: HTTPServer, database: Database, redis_client: redis.Redis,
        settings: Settings) -> None:
    """Two others hold the host's slots for longer than a poll waits for one."""
    from urllib.parse import urlsplit

    from hopper.host_slots import host_slot

    httpserver.expect_request("/feed").respond_with_data(rss(("a", "A")))
    source_id = add_source(database, httpserver.url_for("/feed"))
    host = urlsplit(httpserver.url_for("/feed")).hostname or ""
    polite = replace(settings, limits=TEST_LIMITS, per_host_concurrency=2)
    http = FeedClient.from_settings(polite, redis_client=redis_client)
    try:
        with host_slot(redis_client, host, limit=2), host_slot(redis_client, host, limit=2):
            result = ingest_source(source_id, database=database, redis_client=redis_client,
                                   http=http, limits=TEST_LIMITS)
    finally:
        http.close()
    assert result.outcome == "failed"
    assert "HOPPER_PER_HOST_CONCURRENCY" in (result.error or "")
    assert len(httpserver.log) == 0                    # the publisher never saw it
    row = source_row(database, source_id)
    assert row.status == "failing" and row.next_poll_at > utcnow()
