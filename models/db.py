"""Engine, session factories and `session_scope`.

SQLite is tuned for several processes writing at once (docs/architecture.md, "Data"): WAL,
foreign keys, a busy timeout, and `BEGIN IMMEDIATE` for write transactions so that a
writer waits for the lock up front instead of failing with "database is locked" when it
tries to upgrade a read transaction. Read transactions stay deferred so readers never
queue behind each other.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from models import search_text

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql import Insert as PostgresqlInsert
    from sqlalchemy.dialects.sqlite import Insert as SqliteInsert

SQLITE_BUSY_TIMEOUT_MS = 15_000
# How often a writer retries BEGIN IMMEDIATE while another connection holds the write lock
# (_begin_write): SQLite's own busy handler sleeps 1, 2, 5 … up to 100 ms between tries, so
# a lock released a moment after a try sat unused for tens of milliseconds.
WRITE_LOCK_POLL_S = 0.001
WRITE_OPTION = "hopper_write"


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
                               **kwargs)
        _tune_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)   # a restarted server must not fail every task
    if "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", 5)
        kwargs.setdefault("max_overflow", 5)
    kwargs.setdefault("pool_recycle", 1800)
    return create_engine(url, **kwargs)


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN itself (pysqlite would not).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()
        # The full-text index's triggers call it (models/search_text.py).
        search_text.register(dbapi_connection)

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(WRITE_OPTION, False):
            _begin_write(connection)
        else:
            connection.exec_driver_sql("BEGIN")


def _begin_write(connection: Any) -> None:
    """BEGIN IMMEDIATE, waiting up to the busy timeout for the write lock, retried every
    WRITE_LOCK_POLL_S instead of by SQLite's busy handler: its sleeps grow to 100 ms, so
    with several processes storing polls the lock sat free at handovers (bench/write_lock.py:
    1 to 3 ms per transaction with 2 to 4 writers, about half to a third of that now). The
    last try goes through SQLAlchemy, so that a lock still held after the timeout fails as
    any "database is locked" does."""
    driver = connection.connection.driver_connection
    driver.execute("PRAGMA busy_timeout=0")       # a busy try fails at once
    try:
        deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
        while time.monotonic() < deadline:
            try:
                driver.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                # (The primary code: SQLITE_BUSY_RECOVERY and the like are busy too.)
                if error.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
                    break                       # not a held lock: the last try raises it
            time.sleep(WRITE_LOCK_POLL_S)
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        driver.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")


@dataclass
class Database:
    """One engine and two session factories: `writer` takes the write lock up front."""

    engine: Engine
    reader: sessionmaker[Session]
    writer: sessionmaker[Session]

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def dispose(self) -> None:
        self.engine.dispose()


def make_database(url: str, **engine_kwargs: Any) -> Database:
    engine = make_engine(url, **engine_kwargs)
    write_engine = engine.execution_options(**{WRITE_OPTION: True})
    return Database(
        engine=engine,
        reader=sessionmaker(bind=engine, expire_on_commit=False),
        writer=sessionmaker(bind=write_engine, expire_on_commit=False),
    )


@contextmanager
def session_scope(database: Database, *, write: bool = True) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error, always close."""
    session = (database.writer if write else database.reader)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def dialect_insert(session: Session, table: Any) -> PostgresqlInsert | SqliteInsert:
    """The database's own INSERT for `table`, with `on_conflict_do_nothing/update` and
    `excluded` (PostgreSQL's or SQLite's). A dialect's module is imported on first use,
    so importing the models stays cheap for a `hopper` command (bench/cli_startup.py)."""
    return insert_for_dialect(session.get_bind().dialect.name, table)


def insert_for_dialect(dialect: str, table: Any) -> PostgresqlInsert | SqliteInsert:
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)
