"""Sending Celery tasks by name from the web, without importing the workers.

docs/architecture.md, "Rules the code keeps": a web request that enqueues work commits
first, then sends the task.
`enqueue_after_commit` therefore only remembers the task on the SQLAlchemy session and
sends it from the session's `after_commit` event; a rollback forgets it. A worker thus
never looks for a row the request has not committed yet.
"""

from __future__ import annotations

import threading
from typing import Any

from celery import Celery
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from hopper.settings import Settings
from hopper.task_routes import queue_for
from web.extensions import settings as current_settings

PENDING_KEY = "hopper_pending_tasks"

_clients: dict[str, Celery] = {}
_clients_lock = threading.Lock()


def celery_client(settings: Settings) -> Celery:
    """A sending-only Celery app for this broker, created on first use."""
    with _clients_lock:
        client = _clients.get(settings.broker_url)
        if client is None:
            client = Celery("hopper-web", broker=settings.broker_url, set_as_current=False)
            client.conf.update(task_serializer="json", accept_content=["json"],
                               result_backend=None, task_ignore_result=True,
                               broker_connection_retry_on_startup=True)
            _clients[settings.broker_url] = client
    return client


def send_task(settings: Settings, task_name: str, args: tuple[Any, ...],
              queue: str | None = None) -> None:
    celery_client(settings).send_task(task_name, args=list(args),
                                      queue=queue or queue_for(task_name))


def enqueue_after_commit(session: Session, task_name: str, *args: Any,
                         queue: str | None = None, settings: Settings | None = None) -> None:
    """Send `task_name(*args)` once `session` commits; never if it rolls back.

    `settings` defaults to the current Flask app's. Arguments must be JSON (ids).
    """
    settings = settings or current_settings()
    if not session.in_transaction():
        session.begin()   # the task belongs to this transaction: its rollback forgets it
    pending = session.info.get(PENDING_KEY)
    if pending is None:
        pending = session.info[PENDING_KEY] = []
        event.listen(session, "after_commit", _send_pending)
        event.listen(session, "after_transaction_end", _forget_pending)
    pending.append((settings, task_name, args, queue))


def _send_pending(session: Session) -> None:
    pending = session.info.get(PENDING_KEY) or []
    to_send, pending[:] = list(pending), []
    for settings, task_name, args, queue in to_send:
        send_task(settings, task_name, args, queue)


def _forget_pending(session: Session, transaction: SessionTransaction) -> None:
    # Runs after after_commit on success; anything still pending was rolled back.
    if transaction.parent is None and session.info.get(PENDING_KEY):
        session.info[PENDING_KEY].clear()
