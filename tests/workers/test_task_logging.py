"""A real worker logs JSON lines that name the task they belong to, and records how long
each task waited in its queue (workers/task_logging.py, workers/metrics.py)."""

from __future__ import annotations

import dataclasses
import json
import time

import redis

from hopper.worker_metrics import TASK_QUEUE_WAIT_PREFIX
from tests.ops.servers import RedisServer
from tests.processes import CeleryWorker
from workers.celery_app import create_celery


def test_worker_logs_json_with_the_task_id_and_records_queue_wait(
        subprocess_env, settings, migrated_database) -> None:
    with RedisServer() as private:
        env = dict(subprocess_env, REDIS_URL=private.url, HOPPER_LOG_JSON="1")
        sender = create_celery(dataclasses.replace(settings, redis_url=private.url))
        with CeleryWorker(env, concurrency=1) as worker:
            result = sender.send_task("workers.maintenance.expire_stale_locks")
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and \
                    f"[{result.id}] succeeded" not in worker.output():
                time.sleep(0.1)
            output = worker.output()
        waits = redis.Redis.from_url(private.url).hgetall(TASK_QUEUE_WAIT_PREFIX + "maintenance")
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    done = [line for line in lines if line.get("task_id") == result.id]
    assert done, output
    assert done[-1]["task_name"] == "workers.maintenance.expire_stale_locks"
    assert int(waits[b"count"]) >= 1
