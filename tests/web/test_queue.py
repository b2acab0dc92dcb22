"""Tasks requested by the web reach the broker only after the transaction commits."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from models.db import Database
from models.workers import WorkerHeartbeat
from tests.processes import wait_for
from web.queue import enqueue_after_commit, queue_for


def _heartbeat_rows(database: Database) -> list[WorkerHeartbeat]:
    with database.reader() as session:
        return list(session.scalars(select(WorkerHeartbeat)))


def test_a_task_enqueued_in_a_committed_transaction_runs_on_a_real_worker(
        settings, celery_worker, database: Database) -> None:
    session = database.writer()
    enqueue_after_commit(session, "workers.record_heartbeat", settings=settings)
    session.commit()
    session.close()
    assert wait_for(lambda: _heartbeat_rows(database)), celery_worker.output()


def test_nothing_reaches_the_broker_before_commit_or_after_rollback(
        settings, database: Database, redis_client) -> None:
    # A queue no worker consumes, so its length is exactly what was sent.
    queue = f"test-unconsumed-{secrets.token_hex(4)}"
    session = database.writer()
    enqueue_after_commit(session, "workers.record_heartbeat", queue=queue, settings=settings)
    session.flush()
    assert redis_client.llen(queue) == 0          # not before the commit
    session.rollback()
    session.commit()                              # a later commit must not resurrect it
    assert redis_client.llen(queue) == 0

    enqueue_after_commit(session, "workers.record_heartbeat", queue=queue, settings=settings)
    session.commit()
    session.close()
    assert redis_client.llen(queue) == 1
    redis_client.delete(queue)


def test_polls_are_routed_to_the_polls_queue_and_heartbeats_to_maintenance() -> None:
    assert queue_for("workers.poll_source") == "polls"
    assert queue_for("workers.record_heartbeat") == "maintenance"
