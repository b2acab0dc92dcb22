"""/healthz answers whether this site can reach its database and Redis, and which
backends it uses (never credentials); /metrics speaks Prometheus' text format."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, jsonify
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from models import workers as worker_rows
from models.base import utcnow
from web.extensions import database, redis_client, settings

bp = Blueprint("ops", __name__)

HEARTBEAT_WINDOW = timedelta(minutes=3)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    backends = settings().describe()
    checks: dict[str, dict[str, object]] = {}
    try:
        with database().reader() as session:
            session.execute(text("SELECT 1"))
            alive = worker_rows.count_alive(session, utcnow(), HEARTBEAT_WINDOW)
        checks["database"] = {"ok": True, "backend": backends["database"]}
    except Exception as error:  # noqa: BLE001 - any failure means "not healthy"
        alive = 0
        checks["database"] = {"ok": False, "backend": backends["database"],
                              "error": type(error).__name__}
    try:
        redis_client().ping()
        checks["redis"] = {"ok": True, "backend": backends["redis"]}
    except Exception as error:  # noqa: BLE001
        checks["redis"] = {"ok": False, "backend": backends["redis"],
                           "error": type(error).__name__}
    is_ok = all(bool(check["ok"]) for check in checks.values())
    body = {"status": "ok" if is_ok else "error", "checks": checks, "workers_alive": alive}
    return jsonify(body), 200 if is_ok else 503


@bp.get("/metrics")
def metrics() -> Response:
    return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)
