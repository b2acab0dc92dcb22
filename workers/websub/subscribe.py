"""The sweep: ask hubs to subscribe (or renew) every subscription whose time has come.

    claim due requests (db) | POST to each hub (network) | record each answer (db)

No transaction stays open during a request. When push is off (docs/operations.md), the
sweep stands every subscription down instead, so polls return to their own pace.
"""

from __future__ import annotations

import logging
from datetime import datetime

from hopper import websub as protocol
from hopper.settings import Settings
from models import websub as websub_rows
from models.db import Database, session_scope
from workers.ingest.errors import IngestError
from workers.websub.hub import HubClient

log = logging.getLogger(__name__)
REQUESTS_PER_SWEEP = 200


def request_due_subscriptions(database: Database, hub: HubClient, settings: Settings, *,
                              now: datetime) -> int:
    """Send every due subscription request; returns how many hubs accepted theirs."""
    if not settings.websub.is_enabled:
        with session_scope(database) as session:
            stood_down = websub_rows.stand_down(session, now)
        if stood_down:
            log.info("WebSub push is off: %s subscriptions stood down", stood_down)
        return 0
    with session_scope(database) as session:
        due = websub_rows.claim_due_requests(session, now,
                                             lease_until=now + protocol.VERIFY_WAIT,
                                             limit=REQUESTS_PER_SWEEP)
    accepted = 0
    for request in due:
        error = ask_hub(hub, request, settings)
        next_at = now + (protocol.VERIFY_WAIT if error is None
                         else protocol.retry_delay(request.request_failures + 1))
        with session_scope(database) as session:
            websub_rows.record_request(session, request, now, next_request_at=next_at,
                                       error=error)
        accepted += error is None
    return accepted


def ask_hub(hub: HubClient, request: websub_rows.SubscriptionRequest,
            settings: Settings) -> str | None:
    """None when the hub accepted, else the reason it did not."""
    try:
        hub.subscribe(request.hub_url, topic=request.topic_url,
                      callback=protocol.callback_url(settings.base_url, request.callback_token),
                      secret=request.secret, lease_seconds=settings.websub.lease_seconds)
    except IngestError as error:
        log.info("source %s: WebSub subscription request failed: %s", request.source_id,
                 error.reason)
        return error.reason
    return None
