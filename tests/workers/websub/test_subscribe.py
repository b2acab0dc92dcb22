"""The sweep against hubs that refuse, hubs it must not reach, and through a real worker."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta

from pytest_httpserver import HTTPServer

from hopper.settings import Settings
from models import sources as source_rows
from models import websub as websub_rows
from models.base import utcnow
from models.db import Database, session_scope
from models.websub import WebSubSubscription
from workers.celery_app import create_celery
from workers.websub.hub import HubClient
from workers.websub.subscribe import request_due_subscriptions


def with_push(settings: Settings, *, is_enabled: bool = True) -> Settings:
    return replace(settings, websub=replace(settings.websub, is_enabled=is_enabled))


def discovered(database: Database, hub_url: str) -> int:
    """A source whose poll found `hub_url`; its id."""
    with session_scope(database) as session:
        source_id = source_rows.add(session, "http://news.example/feed.xml").id
        websub_rows.note_hubs(session, [(source_id, hub_url, "http://news.example/feed.xml")],
                              utcnow())
        return source_id


def subscription_of(database: Database, source_id: int) -> WebSubSubscription:
    with database.reader() as session:
        found = websub_rows.for_source(session, source_id)
        assert found is not None
        return found


def sweep(database: Database, settings: Settings) -> int:
    hub = HubClient(settings)
    try:
        return request_due_subscriptions(database, hub, settings, now=utcnow())
    finally:
        hub.close()


def test_a_hub_that_refuses_is_asked_again_later_with_the_reason_kept(
        settings: Settings, database: Database, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/hub", method="POST").respond_with_data("quota exceeded",
                                                                        status=429)
    source_id = discovered(database, httpserver.url_for("/hub"))
    assert sweep(database, with_push(settings)) == 0
    refused = subscription_of(database, source_id)
    assert "HTTP 429 quota exceeded" in (refused.last_error or "")
    assert refused.request_failures == 1
    wait = refused.next_request_at - utcnow()
    assert timedelta(minutes=4) < wait <= timedelta(minutes=5)
    assert sweep(database, with_push(settings)) == 0          # not due again yet
    assert len(httpserver.log) == 1


def test_the_sweep_never_reaches_a_private_hub_in_production(
        settings: Settings, database: Database, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/hub", method="POST").respond_with_data("", status=202)
    source_id = discovered(database, httpserver.url_for("/hub"))
    guarded = replace(with_push(settings), allow_private_networks=False)
    assert sweep(database, guarded) == 0
    assert httpserver.log == []
    assert "not a public address" in (subscription_of(database, source_id).last_error or "")


def test_the_sweep_never_reaches_a_metadata_hub_even_allowing_private_networks(
        settings: Settings, database: Database) -> None:
    assert settings.allow_private_networks
    source_id = discovered(database, "http://169.254.169.254/latest/meta-data/")
    started = time.monotonic()
    assert sweep(database, with_push(settings)) == 0
    assert time.monotonic() - started < 1        # refused before connecting
    assert "never fetched" in (subscription_of(database, source_id).last_error or "")


def test_a_real_worker_runs_the_sweep_by_name_and_with_push_off_stands_down(
        settings: Settings, celery_worker: object, database: Database) -> None:
    source_id = discovered(database, "http://hub.example/")
    with session_scope(database) as session:
        row = websub_rows.for_source(session, source_id)
        assert row is not None
        websub_rows.confirm(row, lease_seconds=3600, now=utcnow())
    assert not settings.websub.is_enabled                       # the run's loopback base URL
    create_celery(settings).send_task("workers.websub.request_subscriptions")
    deadline = time.monotonic() + 30
    while subscription_of(database, source_id).state != "new" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert subscription_of(database, source_id).state == "new", \
        celery_worker.output()  # type: ignore[attr-defined]
