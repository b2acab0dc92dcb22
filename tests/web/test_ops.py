"""/healthz checks the real database and Redis and names the backends in use."""

from __future__ import annotations


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
