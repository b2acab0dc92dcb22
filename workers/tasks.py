"""Celery tasks. Each is thin: it takes ids, opens a session, calls a pipeline or model
function and commits. Every task is safe to run twice."""

from __future__ import annotations

import socket

from celery.signals import worker_ready

from models import workers as worker_rows
from models.base import utcnow
from models.db import session_scope
from workers.celery_app import app
from workers.runtime import runtime


@app.task(name="workers.record_heartbeat", ignore_result=True)
def record_heartbeat() -> None:
    """Tell the site this worker is alive (one row per host, upserted)."""
    with session_scope(runtime().database) as session:
        worker_rows.record_heartbeat(session, socket.gethostname(), utcnow())


@app.task(name="workers.poll_due_sources", ignore_result=True)
def poll_due_sources() -> None:
    """The beat tick: enqueue one poll per due source (ingest fills this in)."""


@worker_ready.connect
def _announce_worker(sender: object = None, **_: object) -> None:
    """Record a heartbeat as soon as a worker is up, not a minute later."""
    record_heartbeat.delay()
