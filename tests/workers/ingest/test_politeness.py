"""Polite fetching through the real fetch path: many sources on one host never get more
than HOPPER_PER_HOST_CONCURRENCY requests at once, however many threads poll them."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest
import redis
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from hopper.settings import Settings
from models.db import Database
from tests.workers.ingest.conftest import TEST_LIMITS, rss
from tests.workers.ingest.test_pipeline import add_source
from workers.ingest import batch
from workers.ingest.fetch import FeedClient


@pytest.fixture
def threaded_server() -> Iterator[HTTPServer]:
    """A loopback server answering requests concurrently, as a publisher's would."""
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


def test_eight_threads_polling_one_host_send_it_two_requests_at_a_time(
        threaded_server: HTTPServer, database: Database, redis_client: redis.Redis,
        settings: Settings) -> None:
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

    threaded_server.expect_request("/feed").respond_with_handler(slow_feed)
    ids = [add_source(database, threaded_server.url_for("/feed") + f"?n={n}") for n in range(12)]
    polite = replace(settings, limits=TEST_LIMITS, per_host_concurrency=2)
    http = FeedClient.from_settings(polite, pool_size=8, redis_client=redis_client)
    try:
        results = batch.ingest_many(ids, database=database, redis_client=redis_client,
                                    http=http, limits=TEST_LIMITS, threads=8)
    finally:
        http.close()
    assert {result.outcome for result in results} == {"ok"}
    assert len(threaded_server.log) == 12
    assert most == 2


def test_without_a_limit_the_same_threads_overlap_freely(
        threaded_server: HTTPServer, database: Database, redis_client: redis.Redis,
        settings: Settings) -> None:
    """The control: the test above would see more than two at once without the slots."""
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

    threaded_server.expect_request("/feed").respond_with_handler(slow_feed)
    ids = [add_source(database, threaded_server.url_for("/feed") + f"?n={n}") for n in range(12)]
    roomy = replace(settings, limits=TEST_LIMITS, per_host_concurrency=64)
    http = FeedClient.from_settings(roomy, pool_size=8, redis_client=redis_client)
    try:
        batch.ingest_many(ids, database=database, redis_client=redis_client, http=http,
                          limits=TEST_LIMITS, threads=8)
    finally:
        http.close()
    assert most > 2
