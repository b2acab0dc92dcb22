"""Maintenance tasks (workers/maintenance.py): thin tasks that purge in short batches,
run by a real worker from the maintenance queue."""

from __future__ import annotations

from datetime import timedelta

from models import retention
from models.base import utcnow
from models.db import Database
from tests.models.test_retention import add_articles
from tests.processes import wait_for
from tests.sources import article_count
from workers.celery_app import create_celery
from workers.maintenance import expire_locks_without_ttl, purge


def test_purge_repeats_short_batches_until_nothing_is_left(database: Database) -> None:
    add_articles(database, [120] * 5)
    cutoff = utcnow() - timedelta(days=90)
    deleted = purge(database, lambda session: retention.delete_expired_articles(
        session, cutoff, batch_size=2))
    assert deleted == 5
    assert article_count(database) == 0


def test_locks_without_expiry_get_one_and_expiring_locks_are_left_alone(redis_client) -> None:
    redis_client.set("hopper:lock:source:1", "stuck")              # no TTL: a bug left it
    redis_client.set("hopper:lock:source:2", "working", ex=100)
    redis_client.set("hopper:unrelated", "x")
    assert expire_locks_without_ttl(redis_client, seconds=60) == 1
    assert 0 < redis_client.ttl("hopper:lock:source:1") <= 60
    assert 60 < redis_client.ttl("hopper:lock:source:2") <= 100
    assert redis_client.ttl("hopper:unrelated") == -1


def test_a_worker_runs_the_retention_task_sent_by_name(settings, celery_worker,
                                                       database: Database) -> None:
    add_articles(database, [settings.retention_days + 10, 1])
    create_celery(settings).send_task("workers.maintenance.delete_expired_articles")
    wait_for(lambda: article_count(database) == 1)
    assert article_count(database) == 1, celery_worker.output()
