"""Consent records: proof of each visitor's cookie choice (no raw IP is kept)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

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
