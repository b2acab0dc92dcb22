"""The callback of one WebSub subscription, named by its random token.

- GET (§5.3): the hub checks that we asked. We echo `hub.challenge` only for a
  subscription that is pending or active with the same topic, else 404. `hub.mode=denied`
  (§5.2) records the refusal.
- POST (§7, §8): a delivery. The body is size-capped, its `X-Hub-Signature` checked in
  constant time; an authentic body is queued for the ingest pipeline once this request's
  bookkeeping commits, a forged one is counted and dropped. Either way the hub gets
  202 (§8: a bad signature must not tell the sender anything).

Everything answers 404 while push is off (HOPPER_WEBSUB, docs/operations.md).
"""

from __future__ import annotations

import base64

from flask import Blueprint, Response, abort, request
from flask.typing import ResponseReturnValue
from prometheus_client import Counter

from hopper import websub as protocol
from models import websub as websub_rows
from models.base import utcnow
from models.db import session_scope
from web.extensions import database, settings
from web.queue import enqueue_after_commit

bp = Blueprint("websub", __name__)

STORE_DELIVERY_TASK = "workers.websub.store_delivery"
CONTENT_TYPE_MAX = 200
REASON_MAX = 300
DELIVERIES = Counter("hopper_websub_deliveries",
                     "Bodies WebSub hubs delivered, by whether their signature held.",
                     ["result"])


def _refuse_unless_known(token: str) -> None:
    """404 while push is off or for a token nobody holds, decided by a read: a stranger's
    guesses never take the database's write lock."""
    if not settings().websub.is_enabled:
        abort(404)
    with database().reader() as session:
        if websub_rows.by_token(session, token) is None:
            abort(404)


@bp.get(f"{protocol.CALLBACK_PATH}<token>")
def verify(token: str) -> ResponseReturnValue:
    _refuse_unless_known(token)
    mode = request.args.get("hub.mode", "")
    topic = request.args.get("hub.topic", "")
    challenge = request.args.get("hub.challenge", "")
    with session_scope(database()) as session:
        subscription = websub_rows.by_token(session, token)
        if subscription is None or subscription.topic_url != topic:
            abort(404)
        if mode == "denied":
            websub_rows.deny(subscription, reason=request.args.get("hub.reason", "")
                             [:REASON_MAX], now=utcnow())
            return Response("", 200, mimetype="text/plain")
        if mode != "subscribe" or subscription.state not in websub_rows.ANSWERABLE_STATES:
            abort(404)      # never asked (or an unsubscribe we never requested)
        if not challenge or len(challenge) > protocol.MAX_CHALLENGE_CHARS:
            abort(400)
        lease = protocol.bounded_lease_seconds(request.args.get("hub.lease_seconds"),
                                               default=settings().websub.lease_seconds)
        websub_rows.confirm(subscription, lease_seconds=lease, now=utcnow())
    return Response(challenge, 200, mimetype="text/plain")


@bp.post(f"{protocol.CALLBACK_PATH}<token>")
def deliver(token: str) -> ResponseReturnValue:
    _refuse_unless_known(token)
    request.max_content_length = settings().websub.max_body_bytes
    body = request.get_data(cache=False)       # 413 past the cap
    with session_scope(database()) as session:
        subscription = websub_rows.by_token(session, token)
        if subscription is None or subscription.state not in websub_rows.ANSWERABLE_STATES:
            abort(404)
        is_authentic = protocol.signature_matches(
            subscription.secret, request.headers.get("X-Hub-Signature"), body)
        websub_rows.count_delivery(subscription, is_authentic=is_authentic, now=utcnow())
        if is_authentic:
            content_type = (request.content_type or "")[:CONTENT_TYPE_MAX]
            enqueue_after_commit(session, STORE_DELIVERY_TASK, subscription.source_id,
                                 base64.b64encode(body).decode("ascii"), content_type,
                                 settings=settings())
    DELIVERIES.labels("accepted" if is_authentic else "bad_signature").inc()
    return Response("", 202)
