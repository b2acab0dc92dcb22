"""Engine tuning and the UTC type."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from models.db import SQLITE_BUSY_TIMEOUT_MS, Database, make_database, session_scope
from models.sources import Source


def test_connections_are_tuned_for_their_backend(database: Database) -> None:
    """SQLite: WAL, foreign keys, a busy timeout. PostgreSQL: stale pooled connections are
    pinged before use, so a server restart does not fail every task after it."""
    if not database.is_sqlite:
        assert database.engine.pool._pre_ping is True
        return
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


def test_a_write_session_waits_for_the_lock_instead_of_failing(database: Database) -> None:
    """Two writers at once: the second waits (BEGIN IMMEDIATE + busy timeout on SQLite,
    row locks on PostgreSQL) and both commit."""
    import threading

    errors: list[BaseException] = []
    first_holds_lock = threading.Event()

    def slow_writer() -> None:
        try:
            with session_scope(database) as session:
                session.add(Source(url="http://127.0.0.1/one.xml"))
                session.flush()
                first_holds_lock.set()
                threading.Event().wait(0.5)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    thread = threading.Thread(target=slow_writer)
    thread.start()
    first_holds_lock.wait(5)
    with session_scope(database) as session:
        session.add(Source(url="http://127.0.0.1/two.xml"))
    thread.join()
    assert errors == []
    with database.reader() as session:
        assert session.query(Source).count() == 2


def _hold_write_lock(path: str, held: object, release: object) -> None:
    """In another process: take SQLite's write lock and keep it until `release` is set."""
    import sqlite3

    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    held.set()                                   # type: ignore[attr-defined]
    release.wait(30)                             # type: ignore[attr-defined]
    connection.execute("ROLLBACK")
    connection.close()


@pytest.fixture
def sqlite_database(tmp_path: Path) -> Iterator[Database]:
    """A SQLite database of its own (these tests are about SQLite's write lock, whatever
    the run's backend), with one table."""
    database = make_database(f"sqlite:///{tmp_path / 'lock.db'}")
    with session_scope(database) as session:
        session.execute(text("CREATE TABLE notes (body TEXT)"))
    yield database
    database.dispose()


@pytest.fixture
def lock_held_elsewhere(sqlite_database: Database) -> Iterator[Any]:
    """A process holding the database's write lock; set the event it yields to let go."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    held, release = context.Event(), context.Event()
    holder = context.Process(target=_hold_write_lock,
                             args=(sqlite_database.engine.url.database, held, release))
    holder.start()
    assert held.wait(10)
    yield release
    release.set()
    holder.join(10)


def _notes(database: Database) -> list[str]:
    with database.reader() as session:
        return list(session.execute(text("SELECT body FROM notes")).scalars())


def test_a_writer_takes_the_lock_another_process_lets_go(sqlite_database: Database,
                                                         lock_held_elsewhere: Any) -> None:
    """A write transaction retries BEGIN IMMEDIATE while another process writes
    (models.db._begin_write) and gets the lock once it is let go; the connection keeps
    its busy timeout for what follows."""
    import threading

    threading.Timer(0.3, lock_held_elsewhere.set).start()
    with session_scope(sqlite_database) as session:
        session.execute(text("INSERT INTO notes VALUES ('after the wait')"))
        assert session.execute(text("PRAGMA busy_timeout")).scalar() == SQLITE_BUSY_TIMEOUT_MS
    assert _notes(sqlite_database) == ["after the wait"]


def test_a_writer_that_never_gets_the_lock_fails_as_database_locked(
        sqlite_database: Database, lock_held_elsewhere: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """After the busy timeout, the usual "database is locked" error: nothing written, and
    the connection usable again with its busy timeout."""
    from models import db

    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 200)
    with pytest.raises(OperationalError, match="database is locked"), \
            session_scope(sqlite_database) as session:
        session.execute(text("INSERT INTO notes VALUES ('never')"))
    lock_held_elsewhere.set()
    monkeypatch.undo()
    with session_scope(sqlite_database) as session:
        session.execute(text("INSERT INTO notes VALUES ('later')"))
        assert session.execute(text("PRAGMA busy_timeout")).scalar() == SQLITE_BUSY_TIMEOUT_MS
    assert _notes(sqlite_database) == ["later"]


@pytest.mark.parametrize("value", [
    datetime(2026, 6, 1, 14, 0, tzinfo=timezone(timedelta(hours=2))),
    datetime(2026, 11, 24, 12, 30, 5, 7, tzinfo=UTC),
    datetime(999, 1, 2, 3, 4, 5, tzinfo=UTC),
    datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-9, minutes=-30))),
])
def test_sqlite_stores_utc_times_as_sqlalchemys_own_text(value: datetime) -> None:
    """The one-call bind processor (models/base.py) writes exactly what SQLAlchemy's two
    layers wrote: old rows and new ones compare as text in SQLite."""
    from sqlalchemy import DateTime
    from sqlalchemy.dialects import sqlite

    from models.base import UTCDateTime

    dialect = sqlite.dialect()
    stock = DateTime().dialect_impl(dialect).bind_processor(dialect)
    fused = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    assert stock is not None and fused is not None
    assert fused(value) == stock(value.astimezone(UTC).replace(tzinfo=None))
    assert fused(None) is None
    with pytest.raises(ValueError, match="naive datetime"):
        fused(datetime(2026, 1, 1))
