"""Consent records: proof of each visitor's cookie choice (no raw IP is kept), and the
statistics admins see. One row per answer; the visitor's cookie carries the same
`consent_id`, so a choice shown by a browser can be traced to its record."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, utcnow

ACTIONS = ("accept_all", "reject_all", "custom", "withdraw")
CATEGORIES = ("preferences", "analytics", "media")


class ConsentRecord(Base):
    __tablename__ = "consent_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random id also kept in the visitor's consent cookie, so a choice can be traced.
    consent_id: Mapped[str] = mapped_column(String(64), index=True)
    choices: Mapped[dict[str, Any]] = mapped_column(JSON)
    policy_version: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(20))   # accept_all | reject_all | custom | withdraw
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


def record(session: Session, *, consent_id: str, choices: dict[str, bool], policy_version: str,
           action: str, user_id: int | None) -> ConsentRecord:
    if action not in ACTIONS:
        raise ValueError(f"unknown consent action {action!r}")
    row = ConsentRecord(consent_id=consent_id, action=action, policy_version=policy_version,
                        user_id=user_id,
                        choices={category: bool(choices.get(category)) for category in CATEGORIES})
    session.add(row)
    session.flush()
    return row


@dataclass
class ConsentDay:
    """One UTC day of answers: how many of each action, and how many granted each category."""

    day: date
    total: int = 0
    actions: Counter[str] = field(default_factory=Counter)
    granted: Counter[str] = field(default_factory=Counter)
    policy_versions: Counter[str] = field(default_factory=Counter)


def statistics(session: Session, *, since: datetime) -> list[ConsentDay]:
    """Answers per day since `since`, oldest first. Counted in Python because the choices
    are JSON, which SQLite and PostgreSQL group differently; a day holds few rows."""
    days: dict[date, ConsentDay] = {}
    rows = session.execute(
        select(ConsentRecord.created_at, ConsentRecord.action, ConsentRecord.choices,
               ConsentRecord.policy_version)
        .where(ConsentRecord.created_at >= since).order_by(ConsentRecord.created_at)
        .execution_options(yield_per=1000))
    for created_at, action, choices, policy_version in rows:
        bucket = days.setdefault(created_at.date(), ConsentDay(day=created_at.date()))
        bucket.total += 1
        bucket.actions[action] += 1
        bucket.policy_versions[policy_version] += 1
        for category in CATEGORIES:
            if (choices or {}).get(category) is True:
                bucket.granted[category] += 1
    return [days[day] for day in sorted(days)]


@dataclass(frozen=True)
class ConsentStatistics:
    total: int
    by_action: dict[str, int]
    accepted_by_category: dict[str, int]


def consent_statistics(session: Session, since: datetime) -> ConsentStatistics:
    """Choices recorded since `since`, summed over the days `statistics` counts."""
    actions: Counter[str] = Counter()
    granted: Counter[str] = Counter()
    for day in statistics(session, since=since):
        actions.update(day.actions)
        granted.update(day.granted)
    return ConsentStatistics(total=sum(actions.values()), by_action=dict(actions),
                             accepted_by_category=dict(sorted(granted.items())))
