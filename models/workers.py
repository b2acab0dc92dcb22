"""Worker heartbeats: each worker process upserts a row, so the site can tell whether
any worker is alive without asking the broker."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, utcnow
from models.db import dialect_insert


class WorkerHeartbeat(Base):
    __tablename__ = "worker_heartbeats"

    hostname: Mapped[str] = mapped_column(String(255), primary_key=True)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


def record_heartbeat(session: Session, hostname: str, now: datetime) -> None:
    statement = dialect_insert(session, WorkerHeartbeat).values(hostname=hostname, last_seen_at=now)
    session.execute(statement.on_conflict_do_update(
        index_elements=[WorkerHeartbeat.hostname], set_={"last_seen_at": now}))


def count_alive(session: Session, now: datetime, within: timedelta) -> int:
    return session.scalar(select(func.count()).select_from(WorkerHeartbeat)
                          .where(WorkerHeartbeat.last_seen_at >= now - within)) or 0
