"""WebSub subscriptions: one per source whose feed names a hub (W3C WebSub).

A subscription's life, with `next_request_at` saying when the workers' sweep next asks
the hub to subscribe (or renew):

    new ──request sent──▶ pending ──hub verifies──▶ active ──renewed──▶ active …
                             │                         │
                             └──hub.mode=denied──▶ denied (asked again a day later)

The callback token names the subscription in its callback URL and the secret signs what
the hub delivers; both are random and replaced whenever the hub or topic changes.
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Index, String, Text, delete, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from hopper import websub as protocol
from models.base import Base, utcnow
from models.sources import POLLABLE_STATUSES, Source

HUB_URL_MAX = 2048
ERROR_MAX = 500


class SubscriptionState(enum.StrEnum):
    NEW = "new"            # hub discovered, not asked yet (or push was turned off)
    PENDING = "pending"    # asked; waiting for the hub's verification GET
    ACTIVE = "active"      # verified: the hub pushes until lease_expires_at
    DENIED = "denied"      # the hub said no (hub.mode=denied)


# A hub may verify (or deliver) only while we are waiting for it or subscribed.
ANSWERABLE_STATES = (SubscriptionState.PENDING.value, SubscriptionState.ACTIVE.value)


class WebSubSubscription(Base):
    __tablename__ = "websub_subscriptions"
    __table_args__ = (
        # The sweep asks "which subscriptions need a request now?"
        Index("ix_websub_subscriptions_next_request_at", "next_request_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"),
                                           unique=True)
    hub_url: Mapped[str] = mapped_column(String(HUB_URL_MAX))
    topic_url: Mapped[str] = mapped_column(String(HUB_URL_MAX))
    callback_token: Mapped[str] = mapped_column(String(64), unique=True)
    secret: Mapped[str] = mapped_column(String(128))
    state: Mapped[str] = mapped_column(String(16), default=SubscriptionState.NEW.value)
    lease_seconds: Mapped[int | None]
    lease_expires_at: Mapped[datetime | None]
    next_request_at: Mapped[datetime] = mapped_column(default=utcnow)
    requested_at: Mapped[datetime | None]
    request_failures: Mapped[int] = mapped_column(default=0)
    verified_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_delivery_at: Mapped[datetime | None]
    deliveries: Mapped[int] = mapped_column(default=0)
    # Bodies refused for a missing or wrong signature (W3C WebSub §8: ignored, yet 2xx).
    rejected_deliveries: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@dataclass(frozen=True)
class SubscriptionRequest:
    """What the sweep needs to ask a hub, read before any network I/O."""

    id: int
    source_id: int
    hub_url: str
    topic_url: str
    callback_token: str
    secret: str
    state: str
    request_failures: int


def _new_credentials() -> dict[str, str]:
    return {"callback_token": secrets.token_urlsafe(protocol.TOKEN_BYTES),
            "secret": secrets.token_hex(protocol.SECRET_BYTES)}


# --- written by a poll ------------------------------------------------------------------

def note_hubs(session: Session, found: Sequence[tuple[int, str, str]], now: datetime) -> None:
    """Record the hub and topic each polled source names: (source id, hub, topic).

    A new hub or topic starts a new subscription (fresh token and secret, so the old
    hub's deliveries stop being accepted); the same ones change nothing.
    """
    found = [(source_id, hub, topic) for source_id, hub, topic in found
             if len(hub) <= HUB_URL_MAX and len(topic) <= HUB_URL_MAX]
    if not found:
        return
    existing = {row.source_id: row for row in session.scalars(
        select(WebSubSubscription).where(
            WebSubSubscription.source_id.in_([source_id for source_id, _, _ in found])))}
    for source_id, hub, topic in found:
        row = existing.get(source_id)
        if row is None:
            session.add(WebSubSubscription(source_id=source_id, hub_url=hub, topic_url=topic,
                                           next_request_at=now, created_at=now,
                                           **_new_credentials()))
        elif (row.hub_url, row.topic_url) != (hub, topic):
            for name, value in _new_credentials().items():
                setattr(row, name, value)
            row.hub_url, row.topic_url = hub, topic
            row.state = SubscriptionState.NEW.value
            row.next_request_at = now
            row.lease_seconds = row.lease_expires_at = row.verified_at = None
            row.request_failures = 0
            row.last_error = None
    session.flush()


def forget_hubs(session: Session, source_ids: Sequence[int]) -> None:
    """These sources' feeds no longer name a hub: drop their subscriptions (the token
    goes with them, so the old hub's deliveries get 404 and it stops)."""
    if source_ids:
        session.execute(delete(WebSubSubscription)
                        .where(WebSubSubscription.source_id.in_(sorted(set(source_ids))))
                        .execution_options(synchronize_session=False))


@dataclass(frozen=True)
class HubOfSource:
    hub_url: str
    topic_url: str
    is_pushing: bool     # active, lease running: the hub pushes to us now


def hubs_of(session: Session, source_ids: Sequence[int], now: datetime
            ) -> dict[int, HubOfSource]:
    """The subscriptions of those of `source_ids` that have one, in one query."""
    if not source_ids:
        return {}
    rows = session.execute(
        select(WebSubSubscription.source_id, WebSubSubscription.hub_url,
               WebSubSubscription.topic_url, WebSubSubscription.state,
               WebSubSubscription.lease_expires_at)
        .where(WebSubSubscription.source_id.in_(sorted(set(source_ids)))))
    return {source_id: HubOfSource(hub, topic, state == SubscriptionState.ACTIVE.value
                                   and expires is not None and expires > now)
            for source_id, hub, topic, state, expires in rows}


# --- the workers' sweep -----------------------------------------------------------------

def claim_due_requests(session: Session, now: datetime, *, lease_until: datetime,
                       limit: int) -> list[SubscriptionRequest]:
    """Subscriptions to (re)request now, for sources still polled; their next request
    is pushed to `lease_until` so a concurrent sweep does not ask the hub twice (the
    sweep sets the real time once the hub has answered). They are pending from now on
    (an active one stays active while it renews): a hub may verify before it even
    answers the request (W3C WebSub §5.3)."""
    rows = list(session.scalars(
        select(WebSubSubscription).join(Source, Source.id == WebSubSubscription.source_id)
        .where(WebSubSubscription.next_request_at <= now,
               Source.status.in_(POLLABLE_STATUSES))
        .order_by(WebSubSubscription.next_request_at).limit(limit)
        .with_for_update(of=WebSubSubscription, skip_locked=True)))
    for row in rows:
        row.next_request_at = lease_until
        if row.state != SubscriptionState.ACTIVE.value:
            row.state = SubscriptionState.PENDING.value
    session.flush()
    return [SubscriptionRequest(row.id, row.source_id, row.hub_url, row.topic_url,
                                row.callback_token, row.secret, row.state,
                                row.request_failures) for row in rows]


def record_request(session: Session, request: SubscriptionRequest, now: datetime, *,
                   next_request_at: datetime, error: str | None = None) -> None:
    """After asking the hub: when to ask again, and the failure if it did not accept.
    Only if the subscription is still the one asked about (a poll may have replaced its
    token meanwhile)."""
    values: dict[str, object] = {"requested_at": now, "next_request_at": next_request_at}
    if error is None:
        values["request_failures"] = 0
    else:
        values["request_failures"] = WebSubSubscription.request_failures + 1
        values["last_error"] = error[:ERROR_MAX]
    session.execute(update(WebSubSubscription)
                    .where(WebSubSubscription.id == request.id,
                           WebSubSubscription.callback_token == request.callback_token)
                    .values(**values).execution_options(synchronize_session=False))


def stand_down(session: Session, now: datetime) -> int:
    """Push turned off: every subscription goes back to `new` (the hub's deliveries are
    refused, polls return to their own pace); asked again when push is turned on."""
    result = session.execute(
        update(WebSubSubscription)
        .where(WebSubSubscription.state != SubscriptionState.NEW.value)
        .values(state=SubscriptionState.NEW.value, next_request_at=now,
                lease_expires_at=None)
        .execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def record_push_failure(session: Session, source_id: int, error: str) -> None:
    session.execute(update(WebSubSubscription)
                    .where(WebSubSubscription.source_id == source_id)
                    .values(last_error=error[:ERROR_MAX])
                    .execution_options(synchronize_session=False))


# --- the callback (web) -----------------------------------------------------------------

def by_token(session: Session, token: str) -> WebSubSubscription | None:
    if not token or len(token) > 64:
        return None
    return session.scalar(select(WebSubSubscription)
                          .where(WebSubSubscription.callback_token == token))


def confirm(subscription: WebSubSubscription, *, lease_seconds: int, now: datetime) -> None:
    """The hub verified our request (§5.3): push runs until the lease ends."""
    subscription.state = SubscriptionState.ACTIVE.value
    subscription.lease_seconds = lease_seconds
    subscription.verified_at = now
    subscription.lease_expires_at = now + timedelta(seconds=lease_seconds)
    subscription.next_request_at = protocol.renewal_at(now, lease_seconds)
    subscription.last_error = None


def deny(subscription: WebSubSubscription, *, reason: str, now: datetime) -> None:
    """The hub refused (§5.2): poll as usual, ask again later."""
    subscription.state = SubscriptionState.DENIED.value
    subscription.lease_expires_at = None
    subscription.last_error = f"hub denied the subscription: {reason or 'no reason given'}" \
        [:ERROR_MAX]
    subscription.next_request_at = now + protocol.DENIED_RETRY


def count_delivery(subscription: WebSubSubscription, *, is_authentic: bool,
                   now: datetime) -> None:
    if is_authentic:
        subscription.deliveries += 1
        subscription.last_delivery_at = now
    else:
        subscription.rejected_deliveries += 1


def for_source(session: Session, source_id: int) -> WebSubSubscription | None:
    return session.scalar(select(WebSubSubscription)
                          .where(WebSubSubscription.source_id == source_id))
