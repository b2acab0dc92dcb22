"""Sources: the feeds Hopper polls, their HTTP validators, health and schedule."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.base import Base, utcnow
from models.sections import Section


class SourceStatus(enum.StrEnum):
    OK = "ok"
    FAILING = "failing"
    GONE = "gone"
    PAUSED = "paused"


class Source(Base):
    __tablename__ = "sources"
    __table_args__ = (
        # The beat tick asks "which sources are due?": answered from this index alone.
        Index("ix_sources_due", "status", "next_poll_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    name: Mapped[str] = mapped_column(String(300), default="")
    site_url: Mapped[str | None] = mapped_column(String(2048))
    section_id: Mapped[int | None] = mapped_column(
        ForeignKey("sections.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=SourceStatus.OK.value)
    last_error: Mapped[str | None] = mapped_column(Text)
    error_count: Mapped[int] = mapped_column(default=0)
    # Polls started but never finished (a worker killed mid-poll): quarantine past a limit.
    unfinished_polls: Mapped[int] = mapped_column(default=0)
    etag: Mapped[str | None] = mapped_column(String(512))
    last_modified: Mapped[str | None] = mapped_column(String(128))
    interval_override_minutes: Mapped[int | None]
    interval_minutes: Mapped[int] = mapped_column(default=30)
    last_polled_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_new_entry_at: Mapped[datetime | None]
    next_poll_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    section: Mapped[Section | None] = relationship()


def by_url(session: Session, url: str) -> Source | None:
    return session.scalar(select(Source).where(Source.url == url))
