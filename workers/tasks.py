"""Celery tasks. Each is thin: it takes ids, opens a session, calls a pipeline or model
function and commits. Every task is safe to run twice."""

from __future__ import annotations

import logging
import socket
from datetime import datetime
from functools import cache

import redis
from celery import Task
from celery.signals import worker_ready
from celery.utils.time import get_exponential_backoff_interval
from kombu.exceptions import OperationalError as KombuOperationalError

from hopper import content_version
from hopper.task_routes import POLLS_QUEUE
from hopper.worker_metrics import PollCount, record_polls
from models import full_text as full_text_rows
from models import workers as worker_rows
from models.base import utcnow
from models.db import session_scope
from workers.adding import resolve_source as resolve_source_url
from workers.celery_app import app
from workers.images import check_lead_images
from workers.ingest.cli.batch import ingest_many
from workers.ingest.fulltext.pages import RobotsCache
from workers.ingest.fulltext.pipeline import fetch_full_text as fetch_page_text
from workers.ingest.fulltext.pipeline import wants_full_text
from workers.ingest.pipeline import ingest_source
from workers.ingest.steps.fetch import FeedClient
from workers.ingest.steps.store import StoreResult, claim_due_sources
from workers.metrics import queue_wait_seconds, record_poll
from workers.retries import RETRY_TRANSIENT_ERRORS
from workers.runtime import runtime

log = logging.getLogger(__name__)

# Sources enqueued per beat tick at most; the rest wait for the next tick
# (HOPPER_TICK_SECONDS later).
DUE_PER_TICK = 2000
# Sources per `poll_sources` task, and the threads that fetch them. One task polls its
# sources as `hopper ingest` does (batch.py): one Redis round trip locks them, one
# transaction starts them, fetches overlap, results are stored in groups. Per source, a
# task of its own cost a worker more than parsing the feed did (Celery's dispatch and
# ack, two commits, a lock round trip each), and each task starts with its fetches in
# flight and nothing to parse yet, so fewer, larger tasks idle less. 32 fetches at once
# keep a batch inside the poll time limit (one fetch's time limit, plus a wait for a
# host slot) and the queue fine-grained enough to share out.
SOURCES_PER_TASK = 32
POLL_THREADS = 32


@app.task(name="workers.record_heartbeat", ignore_result=True)
def record_heartbeat() -> None:
    """Tell the site this worker is alive (one row per host, upserted)."""
    with session_scope(runtime().database) as session:
        worker_rows.record_heartbeat(session, socket.gethostname(), utcnow())


@cache
def feed_client() -> FeedClient:
    """One pooled HTTP client per worker process, built after the fork; its requests
    share the per-host slots with every other process."""
    rt = runtime()
    return FeedClient.from_settings(rt.settings, pool_size=POLL_THREADS,
                                    redis_client=rt.redis)


@app.task(name="workers.poll_due_sources", ignore_result=True)
def poll_due_sources() -> None:
    """The beat tick: enqueue the due sources, SOURCES_PER_TASK to a `poll_sources` task.
    The sources are claimed (their next poll pushed forward) before the tasks are sent,
    so a duplicated tick sends nothing."""
    rt = runtime()
    due = claim_due_sources(rt.database, now=utcnow(), limits=rt.settings.limits,
                            limit=DUE_PER_TICK)
    with app.producer_or_acquire() as producer:    # one broker connection for the tick
        for start in range(0, len(due), SOURCES_PER_TASK):
            poll_sources.apply_async((due[start:start + SOURCES_PER_TASK],),
                                     producer=producer)


@app.task(name="workers.poll_source", bind=True, ignore_result=True, acks_late=True,
          reject_on_worker_lost=True,
          soft_time_limit=app.conf.task_soft_time_limit,
          time_limit=app.conf.task_time_limit, **RETRY_TRANSIENT_ERRORS)
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
    log_failures([result])
    queue_follow_ups([result], polled_since=started_at)


def log_failures(results: list[StoreResult]) -> None:
    """One line per failed poll in the worker's log (the health page and `hopper sources
    list` keep the reason too): an operator watching `hopper up` sees a feed fail."""
    for result in results:
        if result.error:
            log.warning("source %s: %s: %s", result.source_id, result.outcome, result.error)


def queue_follow_ups(results: list[StoreResult], *, polled_since: datetime) -> None:
    """Once a poll has committed (its articles are there for the tasks to read): check
    the lead images of new or changed articles, fetch the article pages the new ones
    want (full text), and merge the stories that converged soon after."""
    stored = [result for result in results if result.new or result.updated]
    for result in stored:
        try:
            check_lead_images.delay(result.source_id)
        except (KombuOperationalError, redis.RedisError) as error:
            # The poll is stored; the beat's sweep checks the images a little later.
            log.warning("image check for source %s not sent: %s", result.source_id, error)
    with_new = [result.source_id for result in results if result.new]
    if with_new:
        enqueue_full_text(with_new, created_since=polled_since)
    if stored:
        request_story_merge(runtime().redis)


# Polls of one beat tick commit within seconds of each other: one merge pass this long
# after the first of them that stored articles covers them all.
STORY_MERGE_DELAY_S = 15
STORY_MERGE_KEY = "hopper:stories:merge-requested"


def request_story_merge(redis_client: redis.Redis) -> None:
    """Send one `workers.maintenance.merge_stories` STORY_MERGE_DELAY_S from now, unless
    one is already on its way (then it runs after this poll's commit too). Twin stories
    that concurrent polls started, and coverage that grew as two stories, then show once
    on the front page within seconds, not at the next 10-minute maintenance run."""
    try:
        if redis_client.set(STORY_MERGE_KEY, "1", nx=True, ex=STORY_MERGE_DELAY_S):
            app.send_task("workers.maintenance.merge_stories", countdown=STORY_MERGE_DELAY_S)
    except (KombuOperationalError, redis.RedisError) as error:
        log.warning("story merge not requested (the maintenance run will merge): %s", error)


def enqueue_full_text(source_ids: list[int], *, created_since: datetime) -> None:
    """Queue the article pages the sources' new articles want (full text)."""
    rt = runtime()
    with session_scope(rt.database, write=False) as session:
        wanting = [article_id for source_id in source_ids
                   for article_id in full_text_rows.wanting_full_text(
                       session, source_id, created_since=created_since)]
    for article_id in wanting:
        fetch_full_text.delay(article_id)


@cache
def robots_cache() -> RobotsCache:
    return RobotsCache()


@app.task(name="workers.fetch_full_text", ignore_result=True, acks_late=True,
          reject_on_worker_lost=True, **RETRY_TRANSIENT_ERRORS)
def fetch_full_text(article_id: int) -> None:
    """The article page's main text, for a summary-only feed of a `full` source. Safe to
    run twice: it only rewrites the same text. A failure keeps the feed's summary and is
    recorded on the source's health row."""
    rt = runtime()
    with session_scope(rt.database, write=False) as session:
        job = full_text_rows.job_for(session, article_id)
    if job is None or not wants_full_text(job.mode, job.body_html):
        return
    # feed_client() holds the publisher's host slot around each request, as for feeds.
    result = fetch_page_text(job, http=feed_client(), robots=robots_cache())
    with session_scope(rt.database) as session:
        if result.html:
            full_text_rows.save_full_text(session, article_id, result.html)
        full_text_rows.record_result(session, job.source_id, error=result.error,
                                     signals=result.signals)
    if result.html:
        content_version.bump_after_commit(rt.redis)


@app.task(name="workers.resolve_source", ignore_result=True, acks_late=True,
          reject_on_worker_lost=True, **RETRY_TRANSIENT_ERRORS)
def resolve_source(source_id: int) -> None:
    """A source the admin stored as typed: find the feed it is or advertises, then poll
    it. Safe to run twice: a source already at its feed's URL stays there."""
    rt = runtime()
    if resolve_source_url(rt.database, feed_client(), source_id) is not None:
        poll_source.delay(source_id)


@app.task(name="workers.poll_sources", bind=True, ignore_result=True, acks_late=True,
          reject_on_worker_lost=True,
          soft_time_limit=app.conf.task_soft_time_limit,
          time_limit=app.conf.task_time_limit, **RETRY_TRANSIENT_ERRORS)
def poll_sources(self: Task, source_ids: list[int]) -> None:
    """Poll several sources together (see SOURCES_PER_TASK). Safe to run twice.

    A batch handed back because its worker died is split into one `poll_source` per
    source, so a feed that kills workers is counted, and quarantined, on its own. Polls
    whose store failed (the database restarting, SQLite locked) are retried soon, with
    backoff, like `poll_source`'s transient errors."""
    delivery = self.request.delivery_info or {}
    if delivery.get("redelivered") and len(source_ids) > 1:
        queue = delivery.get("routing_key") or POLLS_QUEUE     # back where it came from
        for source_id in source_ids:
            poll_source.apply_async((source_id,), queue=queue)
        return
    rt = runtime()
    waited = queue_wait_seconds(self.request)
    started_at = utcnow()

    def record(results: list[StoreResult]) -> None:
        # One round trip per stored group; an unstored poll is retried, counted then.
        record_polls(rt.redis, [PollCount(result.outcome, result.new, result.updated,
                                          result.fetch_seconds)
                                for result in results if result.is_stored],
                     queue_wait_seconds=waited)

    results = ingest_many(source_ids, database=rt.database, redis_client=rt.redis,
                          http=feed_client(), limits=rt.settings.limits,
                          threads=min(POLL_THREADS, len(source_ids)), on_done=record)
    log_failures(results)
    queue_follow_ups([result for result in results if result.is_stored],
                     polled_since=started_at)
    unstored = [result.source_id for result in results if not result.is_stored]
    if unstored:
        raise self.retry(args=[unstored], countdown=get_exponential_backoff_interval(
            factor=2, retries=self.request.retries, maximum=60, full_jitter=True),
            exc=RuntimeError(f"storing {len(unstored)} polls failed"))


@worker_ready.connect
def _announce_worker(sender: object = None, **_: object) -> None:
    """Record a heartbeat as soon as a worker is up, not a minute later."""
    record_heartbeat.delay()
