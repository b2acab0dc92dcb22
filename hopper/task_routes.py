"""Which queue each Celery task goes to: the one table the workers configure Celery with
(workers/celery_app.py) and the web sends by (web/queue.py), which imports no worker."""

from __future__ import annotations

POLLS_QUEUE = "polls"
MAINTENANCE_QUEUE = "maintenance"
# Article pages for full text: slow publishers never hold up polls.
FULLTEXT_QUEUE = "fulltext"
QUEUES = (POLLS_QUEUE, MAINTENANCE_QUEUE, FULLTEXT_QUEUE)

# Celery's `task_routes`: exact task names, or a glob.
TASK_ROUTES: dict[str, dict[str, str]] = {
    "workers.poll_source": {"queue": POLLS_QUEUE},
    "workers.poll_sources": {"queue": POLLS_QUEUE},
    "workers.resolve_source": {"queue": POLLS_QUEUE},
    "workers.fetch_full_text": {"queue": FULLTEXT_QUEUE},
    "workers.poll_due_sources": {"queue": POLLS_QUEUE},
    "workers.maintenance.*": {"queue": MAINTENANCE_QUEUE},
    "workers.images.*": {"queue": MAINTENANCE_QUEUE},
    "workers.record_heartbeat": {"queue": MAINTENANCE_QUEUE},
    "workers.websub.request_subscriptions": {"queue": MAINTENANCE_QUEUE},
    "workers.websub.store_delivery": {"queue": POLLS_QUEUE},
}


def queue_for(task_name: str) -> str:
    """The queue `task_name` is routed to (the default queue, polls, for any other)."""
    route = TASK_ROUTES.get(task_name)
    if route is None:
        route = next((route for pattern, route in TASK_ROUTES.items()
                      if pattern.endswith(".*") and task_name.startswith(pattern[:-1])), None)
    return route["queue"] if route else POLLS_QUEUE
