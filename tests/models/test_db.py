"""Engine tuning and the UTC type."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from models.db import Database, session_scope
from models.sources import Source


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(database: Database) -> None:
    if not database.is_sqlite:
        pytest.skip("SQLite pragmas apply to the SQLite backend only")
    with database.reader() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert session.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_times_round_trip_as_aware_utc(database: Database) -> None:
    paris = timezone(timedelta(hours=2))
    with session_scope(database) as session:
        session.add(Source(url="http://127.0.0.1/feed.xml",
                           next_poll_at=datetime(2026, 6, 1, 14, 0, tzinfo=paris)))
    with database.reader() as session:
        source = session.query(Source).one()
        assert source.next_poll_at == datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
        assert source.next_poll_at.tzinfo is not None


def test_naive_datetimes_are_refused(database: Database) -> None:
    with pytest.raises(Exception, match="naive datetime"), session_scope(database) as session:
        session.add(Source(url="http://127.0.0.1/naive.xml", next_poll_at=datetime(2026, 1, 1)))
        session.flush()
