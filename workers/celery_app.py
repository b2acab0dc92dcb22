"""The Celery app: broker from REDIS_URL (or the embedded Redis), JSON only, late acks,
prefetch 1, time limits, separate queues for polls and maintenance, the beat schedule."""

from __future__ import annotations

from datetime import timedelta

from celery import Celery
from celery.schedules import crontab

from hopper.settings import Settings, load_settings
from hopper.task_routes import POLLS_QUEUE, TASK_ROUTES

# Quiet hours (UTC), spread out so two purges never compete for SQLite's write lock.
MAINTENANCE_SCHEDULE = {
    "delete-expired-articles": {
        "task": "workers.maintenance.delete_expired_articles",
        "schedule": crontab(minute=15, hour=3),
        "options": {"expires": 6 * 3600},
    },
    "delete-orphan-tags": {
        "task": "workers.maintenance.delete_orphan_tags",
        "schedule": crontab(minute=45, hour=3),
        "options": {"expires": 6 * 3600},
    },
    "delete-expired-consent": {
        "task": "workers.maintenance.delete_expired_consent",
        "schedule": crontab(minute=15, hour=4),
        "options": {"expires": 6 * 3600},
    },
    # WebSub: subscribe to newly discovered hubs and renew leases before they end.
    "websub-request-subscriptions": {
        "task": "workers.websub.request_subscriptions",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 60},
    },
    # Converged stories merge and quiet ones close well within a reader's visit.
    "maintain-stories": {
        "task": "workers.maintenance.maintain_stories",
        "schedule": timedelta(minutes=10),
        "options": {"expires": 600},
    },
    # Lead images that no poll's own check reached (`hopper ingest`, a lost send).
    "check-lead-images": {
        "task": "workers.images.check_lead_images",
        "schedule": timedelta(minutes=5),
        "options": {"expires": 300},
    },
    "expire-stale-locks": {
        "task": "workers.maintenance.expire_stale_locks",
        "schedule": timedelta(minutes=10),
        "options": {"expires": 600},
    },
}


def configure(app: Celery, settings: Settings) -> None:
    limits = settings.limits
    tick_seconds = settings.tick_seconds
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
        # when its worker dies (docs/architecture.md, "Rules the code keeps"): every task
        # must therefore be idempotent.
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
        task_routes=TASK_ROUTES,
        worker_hijack_root_logger=False,
        # Every beat, even one started by mistake, ticks only while it holds the beat lock.
        beat_scheduler="workers.beat:LockedScheduler",
        beat_schedule={
            "poll-due-sources": {
                "task": "workers.poll_due_sources",
                "schedule": timedelta(seconds=tick_seconds),
                "options": {"expires": tick_seconds},
            },
            "record-heartbeat": {
                "task": "workers.record_heartbeat",
                "schedule": timedelta(seconds=60),
                "options": {"expires": 60},
            },
            **MAINTENANCE_SCHEDULE,
        },
    )


def create_celery(settings: Settings | None = None) -> Celery:
    app = Celery("hopper", include=["workers.tasks", "workers.maintenance",
                                     "workers.websub.tasks",
                                     "workers.images"])
    configure(app, settings or load_settings())
    return app


def connect_signals() -> None:
    """Our handlers on Celery's signals, in every process that loads this app (worker,
    beat, and whoever sends from them): our log format with the task's context
    (task_logging) and the time each task waited in its queue (metrics)."""
    from workers import metrics, task_logging

    task_logging.connect_signals()
    metrics.connect_signals()


app = create_celery()
connect_signals()
