"""The polling backlog as operators see it (/healthz, /metrics): sources by status, how
many are due, and how long the oldest due one has waited.

Every query filters on one status and a `next_poll_at` range, so it is answered from the
`ix_sources_due (status, next_poll_at)` index: its cost grows with the due sources,
never with all sources.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.sources import Source, SourceStatus

# Statuses the beat tick polls: failing sources back off through next_poll_at.
POLLED_STATUSES = (SourceStatus.OK.value, SourceStatus.FAILING.value)


def count_sources_by_status(session: Session) -> dict[str, int]:
    rows = session.execute(select(Source.status, func.count()).group_by(Source.status))
    counts = {status.value: 0 for status in SourceStatus}
    counts.update({status: int(number) for status, number in rows})
    return counts


def count_due_sources(session: Session, now: datetime) -> int:
    return sum(
        session.scalar(select(func.count()).select_from(Source)
                       .where(Source.status == status, Source.next_poll_at <= now)) or 0
        for status in POLLED_STATUSES)


def oldest_due_at(session: Session, now: datetime) -> datetime | None:
    """When the longest-waiting due source became due, or None if nothing is due."""
    candidates = [
        session.scalar(select(func.min(Source.next_poll_at))
                       .where(Source.status == status, Source.next_poll_at <= now))
        for status in POLLED_STATUSES]
    found = [value for value in candidates if value is not None]
    return min(found) if found else None
