"""Consent records: proof of each visitor's cookie choice (no raw IP is kept)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, utcnow


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


@dataclass(frozen=True)
class ConsentStatistics:
    total: int
    by_action: dict[str, int]
    accepted_by_category: dict[str, int]


def consent_statistics(session: Session, since: datetime) -> ConsentStatistics:
    """Choices recorded since `since`: how many per action, how many accepted each category.

    Categories live inside the JSON `choices`, whose keys the consent area owns, so they
    are counted while streaming that one column rather than guessed in SQL.
    """
    by_action = {action: count for action, count in session.execute(
        select(ConsentRecord.action, func.count()).where(ConsentRecord.created_at >= since)
        .group_by(ConsentRecord.action))}
    accepted: Counter[str] = Counter()
    for choices in session.scalars(select(ConsentRecord.choices)
                                   .where(ConsentRecord.created_at >= since)
                                   .execution_options(yield_per=1000)):
        accepted.update(name for name, value in (choices or {}).items() if value is True)
    return ConsentStatistics(total=sum(by_action.values()), by_action=by_action,
                             accepted_by_category=dict(sorted(accepted.items())))
