"""A real Celery worker process, on this run's broker, writes to this run's database."""

from __future__ import annotations

from sqlalchemy import select

from models.db import Database
from models.workers import WorkerHeartbeat
from tests.processes import wait_for
from workers.celery_app import create_celery


def test_a_real_worker_runs_an_enqueued_task_that_writes_a_row(
        settings, celery_worker, database: Database) -> None:
    sender = create_celery(settings)
    sender.send_task("workers.record_heartbeat")
    rows: list[WorkerHeartbeat] = []

    def heartbeat_written() -> bool:
        nonlocal rows
        with database.reader() as session:
            rows = list(session.scalars(select(WorkerHeartbeat)))
        return bool(rows)

    wait_for(heartbeat_written)
    assert rows, f"no heartbeat row appeared; worker log:\n{celery_worker.output()}"
    assert rows[0].last_seen_at.tzinfo is not None


def test_the_follow_ups_a_poll_sends_once_retry_a_database_or_redis_restart() -> None:
    """Nothing sends a lead-image check, a full-text page or a new source's discovery
    again: failing on a restarting database lost that work for good (bench/faults.py
    postgres_restart: 119 image checks raised before, none after)."""
    from sqlalchemy.exc import OperationalError

    from workers.images import check_lead_images
    from workers.tasks import fetch_full_text, poll_source, poll_sources, resolve_source
    from workers.websub.tasks import store_delivery

    for task in (check_lead_images, fetch_full_text, resolve_source, poll_source,
                 poll_sources, store_delivery):
        assert OperationalError in task.autoretry_for, task.name
        assert task.max_retries == 8 and task.retry_backoff, task.name
