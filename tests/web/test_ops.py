"""/healthz checks the real database and Redis, names the backends in use and says how
far behind ingest is; /metrics speaks Prometheus' text format for web and workers."""

from __future__ import annotations

import dataclasses
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import timedelta

import pytest
import redis
from prometheus_client.parser import text_string_to_metric_families

from hopper.worker_metrics import record_poll
from models.base import utcnow
from models.db import Database
from tests.ops.servers import RedisServer, free_port
from tests.processes import Gunicorn, wait_for
from tests.sources import add_source


def test_healthz_reports_database_and_redis_ok_and_names_backends(client, settings) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == {"ok": True, "backend": settings.database_backend}
    assert body["checks"]["redis"]["ok"] is True
    assert body["checks"]["redis"]["backend"] == settings.redis_backend
    assert settings.secret_key not in response.get_data(as_text=True)


def test_metrics_speak_prometheus_text(client) -> None:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"


@pytest.fixture
def private_redis() -> Iterator[RedisServer]:
    """A Redis of the test's own: no worker of the run drains its queues."""
    with RedisServer() as server:
        yield server


@pytest.fixture
def app_on_private_redis(settings, database: Database, private_redis):  # type: ignore[no-untyped-def]
    from web import create_app

    app = create_app({"TESTING": True},
                     settings=dataclasses.replace(settings, redis_url=private_redis.url))
    yield app
    app.extensions["hopper_database"].dispose()


def add_due_source(database: Database, url: str, *, status: str = "ok",
                   due_minutes_ago: float = 0) -> None:
    add_source(database, url, status=status,
               next_poll_at=utcnow() - timedelta(minutes=due_minutes_ago))


def test_healthz_reports_queue_depth_and_how_long_the_oldest_due_source_waited(
        app_on_private_redis, private_redis, database: Database) -> None:
    add_due_source(database, "http://127.0.0.1/a.xml", due_minutes_ago=10)
    add_due_source(database, "http://127.0.0.1/b.xml", status="failing", due_minutes_ago=3)
    add_due_source(database, "http://127.0.0.1/paused.xml", status="paused", due_minutes_ago=60)
    add_due_source(database, "http://127.0.0.1/gone.xml", status="gone", due_minutes_ago=90)
    add_due_source(database, "http://127.0.0.1/later.xml", due_minutes_ago=-30)
    broker = redis.Redis.from_url(private_redis.url)
    broker.lpush("polls", "m1", "m2", "m3")
    broker.lpush("maintenance", "m4")
    body = app_on_private_redis.test_client().get("/healthz").get_json()
    assert body["queue_depth"] == {"polls": 3, "maintenance": 1, "fulltext": 0}
    assert body["sources_due"] == 2
    assert 600 <= body["oldest_due_source_age_seconds"] < 660


def test_healthz_says_nothing_waits_when_no_source_is_due(client, database: Database) -> None:
    add_due_source(database, "http://127.0.0.1/later.xml", due_minutes_ago=-5)
    body = client.get("/healthz").get_json()
    assert body["sources_due"] == 0 and body["oldest_due_source_age_seconds"] == 0


def test_healthz_answers_503_and_names_redis_when_it_is_down(settings, database) -> None:
    from web import create_app

    dead = dataclasses.replace(settings, redis_url=f"redis://127.0.0.1:{free_port()}/0")
    app = create_app({"TESTING": True}, settings=dead)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["checks"]["redis"]["ok"] is False and body["checks"]["database"]["ok"] is True
    metrics = parse(app.test_client().get("/metrics").get_data(as_text=True))
    assert metrics[("hopper_scrape_workers_failed", ())] == 1
    assert metrics[("hopper_scrape_backlog_failed", ())] == 1
    app.extensions["hopper_database"].dispose()


def parse(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def requests_counted(metrics: dict, endpoint: str, status: str) -> float:
    key = ("hopper_http_requests_total",
           (("endpoint", endpoint), ("method", "GET"), ("status", status)))
    return metrics.get(key, 0.0)


def test_metrics_count_requests_by_endpoint_method_and_status(client) -> None:
    before = parse(client.get("/metrics").get_data(as_text=True))
    client.get("/healthz")
    client.get("/healthz")
    client.get("/no/such/page")
    after = parse(client.get("/metrics").get_data(as_text=True))
    assert requests_counted(after, "ops.healthz", "200") - \
        requests_counted(before, "ops.healthz", "200") == 2
    assert requests_counted(after, "unmatched", "404") - \
        requests_counted(before, "unmatched", "404") == 1
    latency = ("hopper_http_request_duration_seconds_count",
               (("endpoint", "ops.healthz"), ("method", "GET")))
    assert after[latency] - before.get(latency, 0) == 2


def test_metrics_report_worker_counters_from_redis_and_backlog_gauges(
        client, redis_client, database: Database) -> None:
    add_due_source(database, "http://127.0.0.1/a.xml", due_minutes_ago=5)
    add_due_source(database, "http://127.0.0.1/b.xml", status="failing", due_minutes_ago=1)
    record_poll(redis_client, "ok", 5, 2, 0.3, 1.2)
    record_poll(redis_client, "ok", 5, 2, 0.7, 0.05)
    record_poll(redis_client, "failed", fetch_seconds=12.0)
    metrics = parse(client.get("/metrics").get_data(as_text=True))
    assert metrics[("hopper_polls_total", (("outcome", "ok"),))] == 2
    assert metrics[("hopper_polls_total", (("outcome", "failed"),))] == 1
    assert metrics[("hopper_entries_stored_total", (("kind", "new"),))] == 10
    assert metrics[("hopper_entries_stored_total", (("kind", "updated"),))] == 4
    assert metrics[("hopper_fetch_duration_seconds_count", ())] == 3
    assert metrics[("hopper_fetch_duration_seconds_bucket", (("le", "0.5"),))] == 1
    assert metrics[("hopper_fetch_duration_seconds_bucket", (("le", "1.0"),))] == 2
    assert metrics[("hopper_fetch_duration_seconds_bucket", (("le", "+Inf"),))] == 3
    assert metrics[("hopper_fetch_duration_seconds_sum", ())] == pytest.approx(13.0)
    assert metrics[("hopper_poll_queue_wait_seconds_count", ())] == 2
    assert metrics[("hopper_sources", (("status", "failing"),))] == 1
    assert metrics[("hopper_sources", (("status", "ok"),))] == 1
    assert metrics[("hopper_sources_due", ())] == 2
    assert 300 <= metrics[("hopper_oldest_due_source_age_seconds", ())] < 360
    assert metrics[("hopper_scrape_backlog_failed", ())] == 0


def test_metrics_name_their_charset_once(client) -> None:
    content_type = client.get("/metrics").headers["Content-Type"]
    assert content_type.startswith("text/plain; version=")
    assert content_type.count("charset=") == 1, content_type


@pytest.mark.slow
def test_gunicorn_workers_add_up_their_request_counts_in_one_scrape(
        subprocess_env, database, tmp_path) -> None:
    port = free_port()
    env = dict(subprocess_env, PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prometheus"))
    with Gunicorn(env, port) as server:
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: server.output().count("Booting worker") >= 2)
        sent = 0
        # A new connection each, until both workers have answered some (the kernel may
        # hand a burst to one of them), then one scrape must count them all.
        while sent < 40 or (len(list((tmp_path / "prometheus").glob("counter_*.db"))) < 2
                            and sent < 2000):
            with urllib.request.urlopen(base + "/healthz", timeout=10) as response:
                assert response.status == 200
            sent += 1
        with urllib.request.urlopen(base + "/metrics", timeout=10) as response:
            metrics = parse(response.read().decode())
        log = server.output()
    assert len(list((tmp_path / "prometheus").glob("counter_*.db"))) == 2, log
    assert requests_counted(metrics, "ops.healthz", "200") == sent, log


@pytest.mark.slow
def test_gunicorns_access_log_leaves_out_the_tokens_of_reset_and_share_links(
        subprocess_env, database) -> None:
    """A reset, verification or address-change link is a credential until used, a share
    or WebSub callback link for as long as it lives: whoever reads the access log must
    not be able to use them. The path, the request line and the referrer are redacted."""
    port = free_port()
    secrets = ["resetToken123", "verifyToken456", "confirmToken789", "callbackToken012",
               "shareToken345"]
    paths = [f"/password/reset/{secrets[0]}", f"/verify/{secrets[1]}",
             f"/email/confirm/{secrets[2]}", f"/websub/{secrets[3]}", f"/p/{secrets[4]}"]
    with Gunicorn(subprocess_env, port, workers=1) as server:
        base = f"http://127.0.0.1:{port}"
        for path in paths:
            request = urllib.request.Request(base + path,
                                             headers={"Referer": base + paths[0]})
            try:
                urllib.request.urlopen(request, timeout=10).close()
            except urllib.error.HTTPError as error:     # an unknown token: 404, 400…
                error.close()
        wait_for(lambda: server.output().count("[redacted]") >= 2 * len(paths))
        log = server.output()
    assert not [secret for secret in secrets if secret in log], log
    assert "GET /password/reset/[redacted] HTTP/1.1" in log
    assert f'"http://127.0.0.1:{port}/password/reset/[redacted]"' in log
