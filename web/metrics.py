"""Prometheus metrics for `/metrics` (docs/operations.md, "Observe").

Three kinds, each where it can be right across processes and machines:
- web requests: counters and latency histograms per endpoint, method and status,
  kept by prometheus_client; under gunicorn its multiprocess mode (PROMETHEUS_MULTIPROC_DIR,
  set by web/gunicorn_conf.py) adds up every worker process of this machine;
- worker counters (polls by outcome, entries stored, fetch time, queue wait): kept in
  Redis by the workers of every machine, read at scrape time;
- gauges computed at scrape time from the database and Redis: sources by status, due
  sources, the oldest due source's wait, queue depth, live workers.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import redis
from flask import Flask, g, request
from flask.typing import ResponseReturnValue
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from hopper.task_routes import QUEUES
from hopper.worker_metrics import WorkerMetricsCollector
from models import backlog
from models import workers as worker_rows
from models.base import utcnow
from models.db import Database

logger = logging.getLogger(__name__)

HEARTBEAT_WINDOW = timedelta(minutes=3)
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter("hopper_http_requests", "HTTP requests answered.",
                   ["endpoint", "method", "status"])
LATENCY = Histogram("hopper_http_request_duration_seconds",
                    "Time to answer an HTTP request.", ["endpoint", "method"],
                    buckets=LATENCY_BUCKETS)


def is_multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def _start_timer() -> None:
    g.metrics_started_at = time.perf_counter()


def _observe(response: ResponseReturnValue) -> ResponseReturnValue:
    started_at = g.pop("metrics_started_at", None)
    if started_at is None:
        return response
    # The endpoint name, not the path: paths carry ids and would explode the label set.
    endpoint = request.endpoint or "unmatched"
    status = str(getattr(response, "status_code", 0))
    REQUESTS.labels(endpoint, request.method, status).inc()
    LATENCY.labels(endpoint, request.method).observe(time.perf_counter() - started_at)
    return response


def init_app(app: Flask) -> None:
    app.before_request(_start_timer)
    app.after_request(_observe)


class BacklogCollector:
    """Gauges read from the database and Redis when Prometheus scrapes."""

    def __init__(self, database: Database, client: redis.Redis) -> None:
        self.database = database
        self.client = client

    def collect(self) -> Iterator[Metric]:
        depth = GaugeMetricFamily("hopper_queue_depth", "Tasks waiting in a queue.",
                                  labels=["queue"])
        for queue in QUEUES:
            length: Any = self.client.llen(queue)   # redis-py types sync and async alike
            depth.add_metric([queue], float(length))
        yield depth
        now = utcnow()
        with self.database.reader() as session:
            by_status = backlog.count_sources_by_status(session)
            due = backlog.count_due_sources(session, now)
            oldest = backlog.oldest_due_at(session, now)
            alive = worker_rows.count_alive(session, now, HEARTBEAT_WINDOW)
        sources = GaugeMetricFamily("hopper_sources", "Sources by status.",
                                    labels=["status"])
        for status, number in sorted(by_status.items()):
            sources.add_metric([status], float(number))
        yield sources
        yield GaugeMetricFamily("hopper_sources_due", "Sources due for a poll now.",
                                value=float(due))
        wait = (now - oldest).total_seconds() if oldest is not None else 0.0
        yield GaugeMetricFamily("hopper_oldest_due_source_age_seconds",
                                "How long the longest-waiting due source has waited.",
                                value=wait)
        yield GaugeMetricFamily("hopper_workers_alive",
                                "Worker hosts with a heartbeat in the last 3 minutes.",
                                value=float(alive))


class Guarded:
    """Runs a collector; if its backend is down, reports that instead of failing the
    whole scrape (the other metrics still matter most then)."""

    def __init__(self, name: str, collect: Callable[[], Iterator[Metric]]) -> None:
        self.name = name
        self._collect = collect

    def collect(self) -> Iterator[Metric]:
        failed = 0.0
        try:
            metrics = list(self._collect())
        except Exception as error:  # noqa: BLE001 - any backend failure
            logger.warning("metrics collector %s failed: %s", self.name, error)
            metrics, failed = [], 1.0
        yield from metrics
        yield GaugeMetricFamily(f"hopper_scrape_{self.name}_failed",
                                f"1 if the {self.name} metrics could not be read.",
                                value=failed)


def render_metrics(database: Database, client: redis.Redis) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    if is_multiprocess():
        MultiProcessCollector(registry)
    registry.register(Guarded("workers", WorkerMetricsCollector(client).collect))
    registry.register(Guarded("backlog", BacklogCollector(database, client).collect))
    output = generate_latest(registry)
    if not is_multiprocess():
        output = generate_latest(REGISTRY) + output
    return output
