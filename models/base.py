"""Declarative base, constraint naming convention and the UTC datetime type."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect, MetaData, TypeDecorator
from sqlalchemy.orm import DeclarativeBase

# Predictable constraint names make Alembic migrations (and SQLite batch mode) reliable.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Table options for every table whose ids appear in cookies, tokens or links (users,
# sources, articles, playlists, comments): SQLite without AUTOINCREMENT hands the highest
# deleted id to the next row, so a kept cookie or link would name someone else's row.
# PostgreSQL's identity sequences never reuse ids; the option is ignored there.
NEVER_REUSE_IDS: dict[str, Any] = {"sqlite_autoincrement": True}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always returns them aware (UTC).

    SQLite has no time zones, so a naive value read back is taken to be UTC; a naive
    value written is refused, because guessing its zone is how times drift.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        """On SQLite, `process_bind_param` and SQLAlchemy's text format in one call: the
        articles upsert binds four times per row, and the two-layer default was a few
        per cent of a first ingest's CPU. The text is DATETIME's default storage format
        ("2026-11-24 12:00:00.000000"), which SQLite compares as text.

        The last time bound and its text are kept: an upsert binds its poll's time twice
        per row (created_at, modified_at), the same object for every row of a poll, so it
        is formatted once, not 60 times for a feed of 30 entries. Kept as one tuple, read
        and replaced whole, so threads sharing the processor never pair a time with
        another's text."""
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)
        last: list[tuple[datetime | None, str | None]] = [(None, None)]

        def process(value: datetime | None) -> str | None:
            if value is None:
                return None
            seen, text = last[0]
            if value is seen:        # immutable: the same object has the same text
                return text
            if value.tzinfo is None:
                raise ValueError("naive datetime given to a UTC column")
            text = value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
            last[0] = (value, text)
            return text

        return process

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        stored: datetime = value
        if stored.tzinfo is None:
            return stored.replace(tzinfo=UTC)
        return stored.astimezone(UTC)



class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}
