"""Celery tasks. Each is thin: it takes ids, opens a session, calls a pipeline or model
function and commits. Every task is safe to run twice."""

from __future__ import annotations

import logging
import socket
from functools import cache

import redis
from celery import Task
from celery.signals import worker_ready
from kombu.exceptions import OperationalError as KombuOperationalError
from sqlalchemy.exc import OperationalError

from models import full_text as full_text_rows
from models import workers as worker_rows
from models.base import utcnow
from models.db import session_scope
from workers.adding import resolve_source as resolve_source_url
from workers.celery_app import app
from workers.images import check_lead_images
from workers.ingest.fetch import FeedClient
from workers.ingest.fulltext import fetch_full_text as fetch_page_text
from workers.ingest.fulltext import wants_full_text
from workers.ingest.pages import RobotsCache
from workers.ingest.pipeline import ingest_source
from workers.ingest.store import bump_content_version, claim_due_sources
from workers.metrics import queue_wait_seconds, record_poll
from workers.runtime import runtime

log = logging.getLogger(__name__)

# Sources enqueued per beat tick at most; the rest wait for the next tick (30 s later).
DUE_PER_TICK = 2000


@app.task(name="workers.record_heartbeat", ignore_result=True)
def record_heartbeat() -> None:
    """Tell the site this worker is alive (one row per host, upserted)."""
    with session_scope(runtime().database) as session:
        worker_rows.record_heartbeat(session, socket.gethostname(), utcnow())


@cache
def feed_client() -> FeedClient:
    """One pooled HTTP client per worker process, built after the fork."""
    return FeedClient.from_settings(runtime().settings)


@app.task(name="workers.poll_due_sources", ignore_result=True)
def poll_due_sources() -> None:
    """The beat tick: enqueue one poll per due source. The sources are claimed (their next
    poll pushed forward) before the tasks are sent, so a duplicated tick sends nothing."""
    rt = runtime()
    due = claim_due_sources(rt.database, now=utcnow(), limits=rt.settings.limits,
                            limit=DUE_PER_TICK)
    for source_id in due:
        poll_source.delay(source_id)


# A database or Redis that restarts under a poll: try again soon, with growing, jittered
# delays, instead of leaving the source to its enqueue lease (RELIABILITY.md).
TRANSIENT_ERRORS = (OperationalError, redis.ConnectionError, redis.TimeoutError)


@app.task(name="workers.poll_source", bind=True, ignore_result=True, acks_late=True,
          reject_on_worker_lost=True,
          soft_time_limit=app.conf.task_soft_time_limit,
          time_limit=app.conf.task_time_limit,
          autoretry_for=TRANSIENT_ERRORS, retry_backoff=2, retry_backoff_max=60,
          retry_jitter=True, max_retries=8)
def poll_source(self: Task, source_id: int) -> None:
    """Poll one source. Safe to run twice: a second concurrent run finds the lock taken,
    a later one stores nothing it already has."""
    rt = runtime()
    waited = queue_wait_seconds(self.request)
    started_at = utcnow()
    result = ingest_source(source_id, database=rt.database, redis_client=rt.redis,
                           http=feed_client(), limits=rt.settings.limits)
    record_poll(rt.redis, result.outcome, result.new, result.updated,
                fetch_seconds=result.fetch_seconds, queue_wait_seconds=waited)
    if result.new or result.updated:     # committed: their lead images can be checked
        try:
            check_lead_images.delay(source_id)
        except (KombuOperationalError, redis.RedisError) as error:
            # The poll is stored; the beat's sweep checks the images a little later.
            log.warning("image check for source %s not sent: %s", source_id, error)
    if result.new:                       # the poll has committed: its articles are there
        with session_scope(rt.database, write=False) as session:
            wanting = full_text_rows.wanting_full_text(session, source_id,
                                                       created_since=started_at)
        for article_id in wanting:
            fetch_full_text.delay(article_id)


@cache
def robots_cache() -> RobotsCache:
    return RobotsCache()


@app.task(name="workers.fetch_full_text", ignore_result=True, acks_late=True,
          reject_on_worker_lost=True)
def fetch_full_text(article_id: int) -> None:
    """The article page's main text, for a summary-only feed of a `full` source. Safe to
    run twice: it only rewrites the same text. A failure keeps the feed's summary and is
    recorded on the source's health row."""
    rt = runtime()
    with session_scope(rt.database, write=False) as session:
        job = full_text_rows.job_for(session, article_id)
    if job is None or not wants_full_text(job.mode, job.body_html):
        return
    # ingest-b's per-host semaphore (HOPPER_PER_HOST_CONCURRENCY) plugs in as host_slot.
    result = fetch_page_text(job, http=feed_client(), robots=robots_cache(), host_slot=None)
    with session_scope(rt.database) as session:
        if result.html:
            full_text_rows.save_full_text(session, article_id, result.html)
        full_text_rows.record_result(session, job.source_id, error=result.error,
                                     signals=result.signals)
    if result.html:
        bump_content_version(rt.redis)


@app.task(name="workers.resolve_source", ignore_result=True, acks_late=True,
          reject_on_worker_lost=True)
def resolve_source(source_id: int) -> None:
    """A source the admin stored as typed: find the feed it is or advertises, then poll
    it. Safe to run twice: a source already at its feed's URL stays there."""
    rt = runtime()
    if resolve_source_url(rt.database, feed_client(), source_id) is not None:
        poll_source.delay(source_id)


@worker_ready.connect
def _announce_worker(sender: object = None, **_: object) -> None:
    """Record a heartbeat as soon as a worker is up, not a minute later."""
    record_heartbeat.delay()
