"""WebSub's Celery tasks: thin, named, safe to run twice."""

from __future__ import annotations

import base64
import binascii
import logging
from functools import cache

from celery import Task

from models import websub as websub_rows
from models.base import utcnow
from models.db import session_scope
from workers.celery_app import app
from workers.ingest.pipeline import ingest_delivery
from workers.retries import RETRY_TRANSIENT_ERRORS
from workers.runtime import runtime
from workers.tasks import queue_follow_ups
from workers.websub.hub import HubClient
from workers.websub.subscribe import request_due_subscriptions

log = logging.getLogger(__name__)
# A delivery that finds its source being polled waits this long and tries again.
LOCKED_RETRY_S = 5
LOCKED_RETRIES = 24


@cache
def hub_client() -> HubClient:
    return HubClient(runtime().settings)


@app.task(name="workers.websub.request_subscriptions", ignore_result=True)
def request_subscriptions() -> None:
    """The beat's sweep: subscribe to or renew every due subscription."""
    rt = runtime()
    request_due_subscriptions(rt.database, hub_client(), rt.settings, now=utcnow())


@app.task(name="workers.websub.store_delivery", bind=True, ignore_result=True,
          acks_late=True, reject_on_worker_lost=True, **RETRY_TRANSIENT_ERRORS)
def store_delivery(self: Task, source_id: int, body_base64: str, content_type: str) -> None:
    """Store a body a hub delivered (already authenticated by the web). Safe to run
    twice: the store skips entries it already has."""
    try:
        body = base64.b64decode(body_base64, validate=True)
    except (binascii.Error, ValueError):
        log.warning("source %s: delivery task with a body that is not base64", source_id)
        return
    rt = runtime()
    started_at = utcnow()
    result = ingest_delivery(source_id, body, content_type, database=rt.database,
                             redis_client=rt.redis, limits=rt.settings.limits)
    if result.outcome == "locked":
        raise self.retry(countdown=LOCKED_RETRY_S, max_retries=LOCKED_RETRIES)
    # What follows a poll follows a push too: lead images, full text, the story merge.
    queue_follow_ups([result], polled_since=started_at)
    if result.error:
        log.info("source %s: pushed body not stored: %s", source_id, result.error)
        with session_scope(rt.database) as session:
            websub_rows.record_push_failure(session, source_id, result.error)
