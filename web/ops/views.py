"""/healthz answers whether this site can reach its database and Redis, which backends
it uses (never credentials), and how far behind ingest is: queue depth and the age of the
oldest due source. /metrics speaks Prometheus' text format (web/metrics.py), to
allowed addresses or a bearer token only."""

from __future__ import annotations

import hmac
from typing import Any, cast

from flask import Blueprint, Response, abort, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

from hopper.task_routes import QUEUES
from models import backlog
from models import workers as worker_rows
from models.base import utcnow
from web.extensions import database, redis_client, settings
from web.metrics import HEARTBEAT_WINDOW, render_metrics
from web.proxy import AddressList

bp = Blueprint("ops", __name__)


def _check_database() -> tuple[dict[str, Any], dict[str, Any]]:
    backend = settings().describe()["database"]
    now = utcnow()
    try:
        with database().reader() as session:
            session.execute(text("SELECT 1"))
            alive = worker_rows.count_alive(session, now, HEARTBEAT_WINDOW)
            oldest = backlog.oldest_due_at(session, now)
            due = backlog.count_due_sources(session, now)
    except Exception as error:  # noqa: BLE001 - any failure means "not healthy"
        return {"ok": False, "backend": backend, "error": type(error).__name__}, {}
    age = round((now - oldest).total_seconds(), 1) if oldest is not None else 0.0
    facts = {"workers_alive": alive, "sources_due": due, "oldest_due_source_age_seconds": age}
    return {"ok": True, "backend": backend}, facts


def _check_redis() -> tuple[dict[str, Any], dict[str, Any]]:
    backend = settings().describe()["redis"]
    try:
        client = redis_client()
        client.ping()
        depth = {queue: int(cast(int, client.llen(queue))) for queue in QUEUES}
    except Exception as error:  # noqa: BLE001
        return {"ok": False, "backend": backend, "error": type(error).__name__}, {}
    return {"ok": True, "backend": backend}, {"queue_depth": depth}


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    database_check, database_facts = _check_database()
    redis_check, redis_facts = _check_redis()
    checks = {"database": database_check, "redis": redis_check}
    is_ok = all(bool(check["ok"]) for check in checks.values())
    body: dict[str, Any] = {"status": "ok" if is_ok else "error", "checks": checks,
                            "workers_alive": 0}
    body.update(database_facts)
    body.update(redis_facts)
    return jsonify(body), 200 if is_ok else 503


@bp.get("/metrics")
def metrics() -> Response:
    if not may_scrape_metrics():
        abort(403)
    return Response(render_metrics(database(), redis_client()),
                    content_type=CONTENT_TYPE_LATEST)


def may_scrape_metrics() -> bool:
    """Metrics show sign-in counts and queue sizes: only the client addresses in
    HOPPER_METRICS_ALLOW (loopback by default; the client address as web/proxy.py
    found it), or whoever presents HOPPER_METRICS_TOKEN as a bearer token."""
    config = settings()
    if request.remote_addr in AddressList(config.metrics_allow):
        return True
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    return (config.metrics_token is not None and scheme.lower() == "bearer"
            and hmac.compare_digest(presented.strip().encode(), config.metrics_token.encode()))
