"""The poll tasks in real Celery worker processes, on the run's broker and database."""

from __future__ import annotations

import os
import re
import signal
import time
from datetime import timedelta

import redis
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from hopper.task_routes import POLLS_QUEUE
from models.base import utcnow
from models.db import Database
from models.sources import Source
from tests.processes import CeleryWorker, wait_for
from tests.sources import add_source, article_count
from tests.workers.ingest.conftest import rss
from tests.workers.ingest.stories.test_stories import (
    FED,
    QUAKE_JAPAN,
    clone_story,
    feed,
    story_of,
    story_row,
)
from workers.celery_app import create_celery
from workers.tasks import STORY_MERGE_DELAY_S


def source_row(database: Database, source_id: int) -> Source:
    with database.reader() as session:
        source = session.get(Source, source_id)
        assert source is not None
        return source


def test_real_workers_polling_one_source_at_once_store_one_set(
        settings, celery_worker, database: Database, redis_client: redis.Redis,
        httpserver: HTTPServer) -> None:
    def slow(request: Request) -> Response:
        time.sleep(1.0)                      # every delivered poll overlaps the first
        return Response(rss(("a", "A"), ("b", "B"), ("c", "C")))

    httpserver.expect_request("/feed").respond_with_handler(slow)
    source_id = add_source(database, httpserver.url_for("/feed"))
    sender = create_celery(settings)
    sent = [sender.send_task("workers.poll_source", args=[source_id])
            for _ in range(4)]               # a duplicated tick, and then some

    # Every one of the four has run (stored, or found the lock taken): none left to race.
    assert wait_for(lambda: all(f"[{task.id}] succeeded" in celery_worker.output()
                                for task in sent)), celery_worker.output()
    assert article_count(database) == 3
    assert source_row(database, source_id).unfinished_polls == 0
    assert len(httpserver.log) < 4            # the lock turned concurrent polls away


def test_the_beat_tick_enqueues_due_sources_that_workers_then_poll(
        settings, celery_worker, database: Database, redis_client: redis.Redis,
        httpserver: HTTPServer) -> None:
    httpserver.expect_request("/one").respond_with_data(rss(("1", "One")))
    httpserver.expect_request("/two").respond_with_data(rss(("2", "Two")))
    httpserver.expect_request("/bad").respond_with_data("", status=500)
    ids = [add_source(database, httpserver.url_for(path)) for path in ("/one", "/two", "/bad")]
    sender = create_celery(settings)
    log_start = len(celery_worker.output())
    ticks = [sender.send_task("workers.poll_due_sources"),
             sender.send_task("workers.poll_due_sources")]        # duplicated tick

    def all_polled() -> bool:
        return all(source_row(database, i).last_polled_at is not None for i in ids)

    def settled() -> bool:
        """Both ticks ran, so every poll they enqueued is either still in the queue or
        received by the worker; none is in the queue and every received one is done."""
        log = celery_worker.output()
        polls = re.findall(r"workers\.poll_source\[([0-9a-f-]+)\] received", log[log_start:])
        return (all(f"[{tick.id}] succeeded" in log for tick in ticks)
                and redis_client.llen(POLLS_QUEUE) == 0
                and all(f"[{poll}] succeeded" in log for poll in polls))

    assert wait_for(all_polled), celery_worker.output()
    assert wait_for(settled), celery_worker.output()
    assert article_count(database) == 2
    assert len(httpserver.log) == 3                      # each source fetched once
    assert source_row(database, ids[2]).status == "failing"
    assert source_row(database, ids[2]).next_poll_at > utcnow()


def test_a_worker_killed_mid_poll_leaves_nothing_half_written_and_is_counted(
        settings, subprocess_env, database: Database, httpserver: HTTPServer) -> None:
    def hang(request: Request) -> Response:
        time.sleep(4)
        return Response(rss(("a", "A")))

    httpserver.expect_request("/feed").respond_with_handler(hang)
    source_id = add_source(database, httpserver.url_for("/feed"))
    queue = f"polls-kill-{os.getpid()}"
    with CeleryWorker(subprocess_env, concurrency=1, queues=queue) as worker:
        create_celery(settings).send_task("workers.poll_source", args=[source_id],
                                          queue=queue)
        assert wait_for(lambda: len(httpserver.log) > 0 or
                        source_row(database, source_id).unfinished_polls > 0), \
            worker.output()
        assert wait_for(lambda: source_row(database, source_id).unfinished_polls == 1)
        worker.kill(signal.SIGKILL)               # mid-fetch: no store ever ran
    source = source_row(database, source_id)
    assert source.unfinished_polls == 1
    assert source.last_polled_at is None
    assert article_count(database) == 0


def test_hostile_feeds_leave_the_worker_alive_and_other_sources_polled(
        settings, celery_worker, database: Database, httpserver: HTTPServer) -> None:
    from tests.workers.ingest.steps.test_fetch import gzip_bomb

    httpserver.expect_request("/bomb").respond_with_data(
        gzip_bomb(100 * 1024 * 1024), headers={"Content-Encoding": "gzip"})
    httpserver.expect_request("/loop").respond_with_data(
        "", status=301, headers={"Location": "/loop"})
    httpserver.expect_request("/garbage").respond_with_data(b"\x00\xff" * 5000)
    httpserver.expect_request("/good").respond_with_data(rss(("g", "Good")))
    hostile = [add_source(database, httpserver.url_for(path))
               for path in ("/bomb", "/loop", "/garbage")]
    good = add_source(database, httpserver.url_for("/good"))
    create_celery(settings).send_task("workers.poll_due_sources")

    def all_polled() -> bool:
        return all(source_row(database, i).last_polled_at is not None
                   for i in [*hostile, good])

    assert wait_for(all_polled), celery_worker.output()
    assert celery_worker.process.poll() is None            # still running
    assert article_count(database) == 1
    for source_id in hostile:
        source = source_row(database, source_id)
        assert source.status == "failing" and source.last_error
    assert "after decompression" in source_row(database, hostile[0]).last_error
    # The worker's own log says so too: an operator watching `hopper up` sees it.
    assert wait_for(lambda: all(f"source {source_id}: failed:" in celery_worker.output()
                                for source_id in hostile)), celery_worker.output()


def test_a_batch_whose_worker_process_died_comes_back_as_one_poll_per_source(
        settings, subprocess_env, database: Database) -> None:
    """The beat's batches are handed back when their pool process dies (kill -9, OOM);
    split into single polls, so only a feed that keeps killing its worker is counted
    and quarantined, never its batch-mates."""
    import threading

    import psutil

    hanging = threading.Event()
    hangs = {"first": True}

    def hang_once(request: Request) -> Response:
        if hangs.pop("first", False):
            hanging.set()
            time.sleep(15)                        # the pool process is killed meanwhile
        return Response(rss(("h", "Hang")))

    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    server.expect_request("/hang").respond_with_handler(hang_once)
    server.expect_request("/good").respond_with_data(rss(("g", "Good")))
    hang = add_source(database, server.url_for("/hang"))
    good = add_source(database, server.url_for("/good"))
    queue = f"polls-batch-{os.getpid()}"
    try:
        with CeleryWorker(subprocess_env, concurrency=1, queues=queue) as worker:
            create_celery(settings).send_task("workers.poll_sources", args=[[hang, good]],
                                              queue=queue)
            assert wait_for(lambda: hanging.is_set() and
                            source_row(database, good).last_polled_at is not None), \
                worker.output()
            assert worker.process is not None
            (pool_process,) = psutil.Process(worker.process.pid).children()
            pool_process.kill()                   # the main process hands the batch back
            assert wait_for(lambda: worker.output().count(
                "] succeeded in") >= 3, 60), worker.output()   # the batch, then 2 polls
            log = worker.output()
    finally:
        server.stop()
    assert log.count("Task workers.poll_source[") == 4          # split: 2 × received, succeeded
    # The dead poll still holds its lock: the single poll found it locked and brought
    # the source back for when that lock lapses; the batch-mate was not counted again.
    hung = source_row(database, hang)
    assert hung.unfinished_polls == 1 and hung.last_polled_at is None
    assert hung.next_poll_at < utcnow() + timedelta(seconds=300)
    assert source_row(database, good).unfinished_polls == 0
    assert article_count(database) == 1


def test_stories_that_converged_merge_soon_after_the_polls_that_stored_articles(
        settings, celery_worker, database: Database, httpserver: HTTPServer) -> None:
    """Twin stories (what polls in two workers at once can start) show as one on the
    front page seconds after a poll stores articles, not at the next maintenance run."""
    httpserver.expect_request("/wire").respond_with_data(feed(("w1", *QUAKE_JAPAN)))
    source_id = add_source(database, httpserver.url_for("/wire"))
    sender = create_celery(settings)
    sender.send_task("workers.poll_source", args=[source_id])
    assert wait_for(lambda: article_count(database) == 1), celery_worker.output()
    japan = story_of(database, QUAKE_JAPAN[0])
    twin = clone_story(database, japan, ("Tsunami warning for Japan after 7.1 quake",))

    httpserver.clear()
    httpserver.expect_request("/wire").respond_with_data(
        feed(("w1", *QUAKE_JAPAN), ("w2", *FED)))
    sender.send_task("workers.poll_source", args=[source_id])

    def merged() -> bool:
        return {story_row(database, japan).merged_into_id,
                story_row(database, twin).merged_into_id} - {None} != set()

    assert wait_for(merged, timeout_s=STORY_MERGE_DELAY_S + 30), celery_worker.output()
    assert story_of(database, "Tsunami warning for Japan after 7.1 quake") \
        == story_of(database, QUAKE_JAPAN[0])
