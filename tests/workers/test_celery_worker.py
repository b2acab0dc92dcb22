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
