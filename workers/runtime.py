"""What a worker process holds for its lifetime: settings, the database and a Redis
client, built lazily once per process (after Celery forks, never before)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import redis
from celery.signals import worker_process_init

from hopper.collector import tune_collector
from hopper.redis_client import WORKER, connect
from hopper.settings import Settings, load_settings
from models.db import Database, make_database


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    database: Database
    redis: redis.Redis


@cache
def runtime() -> Runtime:
    settings = load_settings()
    return Runtime(
        settings=settings,
        database=make_database(settings.database_url),
        redis=connect(settings.redis_url, WORKER),
    )


@worker_process_init.connect
def _forget_parent_connections(**_: object) -> None:
    """A forked child must not share the parent's database sockets; what it inherited
    stays out of the garbage collector's scans (hopper/collector.py)."""
    if runtime.cache_info().currsize:
        runtime().database.engine.dispose(close=False)
    tune_collector()
