"""WebSub push end to end: a fake hub on loopback, the site on a real HTTP server, a real
Celery worker, the run's database and Redis.

    poll discovers the hub | sweep asks the hub | hub verifies against the site |
    hub delivers signed bodies | worker stores them as articles
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

import pytest
import redis
from sqlalchemy import select

from hopper import websub as protocol
from hopper.settings import Settings
from models import sources as source_rows
from models import websub as websub_rows
from models.articles import Article
from models.base import utcnow
from models.db import Database, session_scope
from models.sources import Source
from models.websub import WebSubSubscription
from tests.web.websub.conftest import with_push
from tests.web.websub.fake_hub import FakeHub, call, rss
from workers.ingest.pipeline import ingest_source
from workers.ingest.steps.fetch import FeedClient
from workers.ingest.steps.store import StoreResult
from workers.websub.hub import HubClient
from workers.websub.subscribe import request_due_subscriptions


def wait_for(condition: Callable[[], bool], timeout_s: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def add_source(database: Database, url: str) -> int:
    with session_scope(database) as session:
        return source_rows.add(session, url).id


def poll(database: Database, redis_client: redis.Redis, settings: Settings,
         source_id: int) -> StoreResult:
    http = FeedClient.from_settings(settings)
    try:
        return ingest_source(source_id, database=database, redis_client=redis_client,
                             http=http, limits=settings.limits)
    finally:
        http.close()


def sweep(database: Database, settings: Settings, *, after: timedelta = timedelta()) -> int:
    """One run of the beat's sweep, as if `after` had passed."""
    hub = HubClient(settings)
    try:
        return request_due_subscriptions(database, hub, settings, now=utcnow() + after)
    finally:
        hub.close()


def subscription_of(database: Database, source_id: int) -> WebSubSubscription:
    with database.reader() as session:
        found = websub_rows.for_source(session, source_id)
        assert found is not None
        return found


def titles(database: Database, source_id: int) -> set[str]:
    with database.reader() as session:
        return set(session.scalars(select(Article.title)
                                   .where(Article.source_id == source_id)))


def source_row(database: Database, source_id: int) -> Source:
    with database.reader() as session:
        source = session.get(Source, source_id)
        assert source is not None
        return source


@dataclass(frozen=True)
class Subscribed:
    source_id: int
    callback: str
    secret: str
    topic: str


def subscribe(database: Database, redis_client: redis.Redis, hub: FakeHub,
              push_settings: Settings) -> Subscribed:
    source_id = add_source(database, hub.feed_url)
    assert poll(database, redis_client, push_settings, source_id).outcome == "ok"
    assert sweep(database, push_settings) == 1
    [verification] = hub.wait_for_verifications(1)
    assert (verification.status, verification.answer) == (200, verification.challenge)
    [request] = hub.requests
    return Subscribed(source_id, request["hub.callback"], request["hub.secret"],
                      request["hub.topic"])


def test_a_poll_finds_the_hub_and_the_hub_verifies_the_subscription_against_the_site(
        database: Database, redis_client: redis.Redis, hub: FakeHub,
        push_settings: Settings, live_server: str) -> None:
    source_id = add_source(database, hub.feed_url)
    poll(database, redis_client, push_settings, source_id)
    found = subscription_of(database, source_id)
    assert (found.hub_url, found.topic_url, found.state) == (hub.hub_url, hub.topic_url, "new")

    assert sweep(database, push_settings) == 1

    [verification] = hub.wait_for_verifications(1)
    [request] = hub.requests
    token = request["hub.callback"].rsplit("/", 1)[1]
    assert request["hub.mode"] == "subscribe"
    assert request["hub.topic"] == hub.topic_url            # the self link, not the URL polled
    assert request["hub.callback"] == f"{live_server}/websub/{token}"
    assert len(token) >= 40 and token == found.callback_token
    assert len(request["hub.secret"]) == 64
    assert request["hub.lease_seconds"] == str(push_settings.websub.lease_seconds)
    assert (verification.status, verification.answer) == (200, verification.challenge)
    active = subscription_of(database, source_id)
    assert active.state == "active"
    assert active.lease_seconds == hub.lease_seconds
    assert active.lease_expires_at is not None
    expected = utcnow() + timedelta(seconds=hub.lease_seconds)
    assert abs((active.lease_expires_at - expected).total_seconds()) < 30


def test_a_hub_that_verifies_before_answering_the_request_is_answered(
        database: Database, redis_client: redis.Redis, push_settings: Settings) -> None:
    with FakeHub(verifies_before_answering=True) as hub:
        sub = subscribe(database, redis_client, hub, push_settings)
    assert subscription_of(database, sub.source_id).state == "active"


def test_a_deleted_source_takes_its_callback_with_it(
        database: Database, redis_client: redis.Redis, hub: FakeHub,
        push_settings: Settings) -> None:
    sub = subscribe(database, redis_client, hub, push_settings)
    with session_scope(database) as session:
        source = session.get(Source, sub.source_id)
        session.delete(source)
    assert hub.deliver(sub.callback, rss(("x", "X")), secret=sub.secret) == 404
    query = urlencode({"hub.mode": "subscribe", "hub.topic": sub.topic, "hub.challenge": "c"})
    assert call(f"{sub.callback}?{query}")[0] == 404


def test_two_sources_get_different_callbacks_and_secrets(
        database: Database, redis_client: redis.Redis, push_settings: Settings) -> None:
    with FakeHub() as one, FakeHub() as two:
        for hub in (one, two):
            poll(database, redis_client, push_settings, add_source(database, hub.feed_url))
        assert sweep(database, push_settings) == 2
        [first], [second] = one.requests, two.requests
    assert first["hub.callback"] != second["hub.callback"]
    assert first["hub.secret"] != second["hub.secret"]


def test_signed_deliveries_become_articles_and_unsigned_or_forged_ones_store_nothing(
        database: Database, redis_client: redis.Redis, hub: FakeHub,
        push_settings: Settings, live_server: str, celery_worker: object) -> None:
    sub = subscribe(database, redis_client, hub, push_settings)
    assert titles(database, sub.source_id) == {"First post"}

    forged = rss(("forged", "Forged post"))
    assert hub.deliver(sub.callback, forged, secret="not-the-secret") == 202
    assert hub.deliver(sub.callback, forged, secret=None) == 202
    assert hub.deliver(sub.callback, forged, secret=sub.secret, method="md5") == 202
    signed = rss(("pushed-1", "Pushed one"), ("pushed-2", "Pushed two"))
    assert hub.deliver(sub.callback, signed, secret=sub.secret) == 202
    assert hub.deliver(sub.callback, rss(("pushed-3", "Pushed three")), secret=sub.secret,
                       method="sha512") == 202
    assert hub.deliver(sub.callback, rss(("pushed-4", "Pushed four")), secret=sub.secret,
                       method="sha1") == 202

    expected = {"First post", "Pushed one", "Pushed two", "Pushed three", "Pushed four"}
    assert wait_for(lambda: titles(database, sub.source_id) == expected), \
        (titles(database, sub.source_id), celery_worker.output())  # type: ignore[attr-defined]
    counted = subscription_of(database, sub.source_id)
    assert (counted.deliveries, counted.rejected_deliveries) == (3, 3)
    assert counted.last_delivery_at is not None
    metrics = call(f"{live_server}/metrics")[1]
    assert 'hopper_websub_deliveries_total{result="bad_signature"}' in metrics


def test_a_signed_body_that_is_no_feed_is_reported_and_changes_nothing_else(
        database: Database, redis_client: redis.Redis, hub: FakeHub,
        push_settings: Settings, celery_worker: object) -> None:
    sub = subscribe(database, redis_client, hub, push_settings)
    before = source_row(database, sub.source_id)
    assert hub.deliver(sub.callback, b"<html>not a feed</html>", secret=sub.secret) == 202
    assert wait_for(lambda: "pushed body" in (subscription_of(database, sub.source_id)
                                              .last_error or "")), \
        celery_worker.output()  # type: ignore[attr-defined]
    after = source_row(database, sub.source_id)
    assert (after.status, after.error_count, after.next_poll_at) == \
        (before.status, before.error_count, before.next_poll_at)
    assert titles(database, sub.source_id) == {"First post"}


def test_a_delivery_keeps_the_poll_validators(
        database: Database, redis_client: redis.Redis, push_settings: Settings,
        celery_worker: object) -> None:
    with FakeHub() as hub:
        sub = subscribe(database, redis_client, hub, push_settings)
        with session_scope(database) as session:
            source_rows.update_fields(session, sub.source_id, {"etag": '"v1"'})
        assert hub.deliver(sub.callback, rss(("late", "Late news")), secret=sub.secret) == 202
        assert wait_for(lambda: "Late news" in titles(database, sub.source_id))
    assert source_row(database, sub.source_id).etag == '"v1"'


def test_verification_answers_only_a_requested_subscription_for_its_own_topic(
        database: Database, redis_client: redis.Redis, hub: FakeHub,
        push_settings: Settings, live_server: str) -> None:
    source_id = add_source(database, hub.feed_url)
    poll(database, redis_client, push_settings, source_id)
    token = subscription_of(database, source_id).callback_token
    callback = f"{live_server}/websub/{token}"

    def ask(url: str, **params: str) -> int:
        query = {"hub.mode": "subscribe", "hub.topic": hub.topic_url,
                 "hub.challenge": "c-123", "hub.lease_seconds": "600", **params}
        return call(f"{url}?{urlencode(query)}")[0]

    assert ask(callback) == 404                        # discovered, never asked for
    sweep(database, push_settings)
    hub.wait_for_verifications(1)
    assert ask(callback) == 200                        # asked for: the hub may re-verify
    assert ask(f"{live_server}/websub/unknown-token") == 404
    assert ask(f"{live_server}/websub/{'x' * 500}") == 404
    assert ask(callback, **{"hub.topic": f"{hub.url}/other.xml"}) == 404
    assert ask(callback, **{"hub.mode": "unsubscribe"}) == 404   # we never asked
    assert ask(callback, **{"hub.challenge": ""}) == 400
    assert ask(callback, **{"hub.lease_seconds": "99999999999999999999"}) == 200
    assert subscription_of(database, source_id).lease_seconds == protocol.MAX_LEASE_SECONDS
    assert call(f"{live_server}/websub/unknown-token", data=b"<rss/>")[0] == 404


def test_the_sweep_renews_a_lease_before_it_ends(
        database: Database, redis_client: redis.Redis, push_settings: Settings) -> None:
    with FakeHub(lease_seconds=600) as hub:
        sub = subscribe(database, redis_client, hub, push_settings)
        first = subscription_of(database, sub.source_id)
        assert first.lease_expires_at is not None

        assert sweep(database, push_settings) == 0           # 10 minutes left: not yet
        assert sweep(database, push_settings, after=timedelta(minutes=6)) == 1

        verifications = hub.wait_for_verifications(2)
        assert [v.status for v in verifications] == [200, 200]
        renewal = hub.requests[1]
        assert (renewal["hub.callback"], renewal["hub.secret"]) == (sub.callback, sub.secret)
    renewed = subscription_of(database, sub.source_id)
    assert renewed.state == "active"
    assert renewed.verified_at is not None and first.verified_at is not None
    assert renewed.verified_at > first.verified_at
    assert renewed.next_request_at > first.next_request_at


def test_a_denied_subscription_is_recorded_and_asked_again_a_day_later(
        database: Database, redis_client: redis.Redis, hub: FakeHub,
        push_settings: Settings) -> None:
    sub = subscribe(database, redis_client, hub, push_settings)
    assert hub.deny(sub.callback, sub.topic, "over quota") == 200
    denied = subscription_of(database, sub.source_id)
    assert denied.state == "denied"
    assert "over quota" in (denied.last_error or "")
    assert sweep(database, push_settings, after=timedelta(hours=23)) == 0
    assert sweep(database, push_settings, after=timedelta(hours=25)) == 1


def test_a_pushed_source_is_polled_only_every_six_hours(
        database: Database, redis_client: redis.Redis, hub: FakeHub,
        push_settings: Settings) -> None:
    source_id = add_source(database, hub.feed_url)
    poll(database, redis_client, push_settings, source_id)
    assert source_row(database, source_id).next_poll_at < utcnow() + timedelta(hours=1)

    sweep(database, push_settings)
    hub.wait_for_verifications(1)
    poll(database, redis_client, push_settings, source_id)

    fallback = timedelta(minutes=push_settings.limits.push_fallback_poll_minutes)
    assert fallback == timedelta(hours=6)
    assert source_row(database, source_id).next_poll_at >= utcnow() + fallback - \
        timedelta(minutes=1)


def test_a_new_hub_starts_a_new_subscription_and_the_old_callback_stops_answering(
        database: Database, redis_client: redis.Redis, hub: FakeHub,
        push_settings: Settings, live_server: str) -> None:
    sub = subscribe(database, redis_client, hub, push_settings)
    with session_scope(database) as session:      # a later poll names another hub
        websub_rows.note_hubs(session, [(sub.source_id, f"{hub.url}/hub2", sub.topic)],
                              utcnow())
    moved = subscription_of(database, sub.source_id)
    assert moved.state == "new" and moved.secret != sub.secret
    assert hub.deliver(sub.callback, rss(("x", "X")), secret=sub.secret) == 404


def test_a_feed_that_stops_naming_its_hub_loses_its_subscription(
        database: Database, redis_client: redis.Redis, hub: FakeHub,
        push_settings: Settings) -> None:
    sub = subscribe(database, redis_client, hub, push_settings)
    hub.names_hub = False
    poll(database, redis_client, push_settings, sub.source_id)
    with database.reader() as session:
        assert websub_rows.for_source(session, sub.source_id) is None
    assert hub.deliver(sub.callback, rss(("x", "X")), secret=sub.secret) == 404
    assert source_row(database, sub.source_id).next_poll_at < utcnow() + timedelta(hours=1)


def test_an_oversized_delivery_is_refused(
        database: Database, redis_client: redis.Redis, hub: FakeHub,
        push_settings: Settings) -> None:
    sub = subscribe(database, redis_client, hub, push_settings)
    huge = rss(("big", "x" * (push_settings.websub.max_body_bytes + 1)))
    assert hub.deliver(sub.callback, huge, secret=sub.secret) == 413
    assert subscription_of(database, sub.source_id).deliveries == 0


@pytest.fixture
def push_off_site(settings: Settings, database: Database) -> object:
    from web import create_app

    return create_app({"TESTING": True}, settings=with_push(settings, is_enabled=False))


def test_with_push_off_the_callback_is_404_and_the_sweep_stands_subscriptions_down(
        database: Database, redis_client: redis.Redis, hub: FakeHub,
        push_settings: Settings, push_off_site: object) -> None:
    sub = subscribe(database, redis_client, hub, push_settings)
    token = sub.callback.rsplit("/", 1)[1]
    client = push_off_site.test_client()  # type: ignore[attr-defined]
    query = {"hub.mode": "subscribe", "hub.topic": sub.topic, "hub.challenge": "c"}
    assert client.get(f"/websub/{token}", query_string=query).status_code == 404
    assert client.post(f"/websub/{token}", data=rss()).status_code == 404

    off = with_push(push_settings, is_enabled=False)
    assert sweep(database, off) == 0
    assert subscription_of(database, sub.source_id).state == "new"
    assert hub.requests[1:] == []
