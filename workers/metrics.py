"""What workers measure, kept in Redis for `/metrics` (see hopper/worker_metrics.py).

- Every task message is stamped with its send time (`hopper_sent_at` header, seconds
  since the epoch) by whoever publishes it: beat, worker or web.
- When a worker starts a task, the wait since then is recorded per queue.
- The poll task calls `record_poll(...)` once per poll, after its commit.
"""

from __future__ import annotations

import time
from typing import Any

from celery import Task
from celery.signals import before_task_publish, task_prerun

from hopper.worker_metrics import record_poll, record_task_queue_wait
from workers.runtime import runtime

SENT_AT_HEADER = "hopper_sent_at"

__all__ = ["SENT_AT_HEADER", "queue_wait_seconds", "record_poll"]


def _stamp_sent_at(headers: dict[str, Any] | None = None, **_: Any) -> None:
    if headers is not None:
        headers.setdefault(SENT_AT_HEADER, time.time())


def queue_wait_seconds(request: Any, now: float | None = None) -> float | None:
    """Seconds between a task's sending and now, from its request; None if unstamped.
    Clocks of different machines differ a little: a negative wait is reported as 0."""
    sent_at = getattr(request, SENT_AT_HEADER, None)
    if sent_at is None:
        return None
    return max(0.0, (time.time() if now is None else now) - float(sent_at))


def _record_queue_wait(task: Task | None = None, **_: Any) -> None:
    if task is None:
        return
    wait = queue_wait_seconds(task.request)
    if wait is None:
        return
    queue = (task.request.delivery_info or {}).get("routing_key") or "unknown"
    record_task_queue_wait(runtime().redis, queue, wait)


def connect_signals() -> None:
    before_task_publish.connect(_stamp_sent_at)
    task_prerun.connect(_record_queue_wait)
