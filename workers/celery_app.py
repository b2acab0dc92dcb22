"""The Celery app: broker from REDIS_URL (or the embedded Redis), JSON only, late acks,
prefetch 1, time limits, separate queues for polls and maintenance, the beat schedule."""

from __future__ import annotations

from datetime import timedelta

from celery import Celery

from hopper.settings import Settings, load_settings

POLLS_QUEUE = "polls"
MAINTENANCE_QUEUE = "maintenance"
TICK_SECONDS = 30


def configure(app: Celery, settings: Settings) -> None:
    limits = settings.limits
    app.conf.update(
        broker_url=settings.broker_url,
        result_backend=None,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        timezone="UTC",
        enable_utc=True,
        # A task is acknowledged only once it has finished, and handed back to the queue
        # when its worker dies (RELIABILITY.md): every task must therefore be idempotent.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_soft_time_limit=limits.poll_soft_time_limit_s,
        task_time_limit=limits.poll_hard_time_limit_s,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,
        broker_transport_options={
            # Longer than any task's hard limit, so a running task is not handed out twice.
            "visibility_timeout": 3600,
        },
        task_default_queue=POLLS_QUEUE,
        task_routes={
            "workers.poll_source": {"queue": POLLS_QUEUE},
            "workers.poll_due_sources": {"queue": POLLS_QUEUE},
            "workers.maintenance.*": {"queue": MAINTENANCE_QUEUE},
            "workers.record_heartbeat": {"queue": MAINTENANCE_QUEUE},
        },
        worker_hijack_root_logger=False,
        beat_schedule={
            "poll-due-sources": {
                "task": "workers.poll_due_sources",
                "schedule": timedelta(seconds=TICK_SECONDS),
                "options": {"expires": TICK_SECONDS},
            },
            "record-heartbeat": {
                "task": "workers.record_heartbeat",
                "schedule": timedelta(seconds=60),
                "options": {"expires": 60},
            },
        },
    )


def create_celery(settings: Settings | None = None) -> Celery:
    app = Celery("hopper", include=["workers.tasks"])
    configure(app, settings or load_settings())
    return app


app = create_celery()
