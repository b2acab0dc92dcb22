"""Alembic environment: runs against the URL (or connection) handed in by models.migrate."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Table, event, pool

import models
from models.db import make_engine
from models.migrate import include_object

config = context.config
target_metadata = models.Base.metadata

def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    if connection.dialect.name == "sqlite":
        _run_without_sqlite_foreign_keys(connection)
    else:
        _migrate(connection)


def _run_without_sqlite_foreign_keys(connection) -> None:  # type: ignore[no-untyped-def]
    """SQLite rebuilds a table to change it (batch mode: copy, drop, rename). With foreign
    keys on, dropping a parent table runs its ON DELETE CASCADE actions and empties the
    children, so migrations run with them off (SQLite's "generalized ALTER TABLE
    procedure") and check every reference before they are switched back on. The pragma is
    a no-op inside a transaction, so it is set on the driver connection before one starts."""
    driver = connection.connection.driver_connection
    driver.execute("PRAGMA foreign_keys=OFF")
    event.listen(Table, "before_create", _keep_sqlite_autoincrement)
    try:
        _migrate(connection)
        broken = driver.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"migration left rows with dangling references: {broken[:5]}")
    finally:
        event.remove(Table, "before_create", _keep_sqlite_autoincrement)
        driver.execute("PRAGMA foreign_keys=ON")


def _keep_sqlite_autoincrement(table: Table, _connection: Any, **_kw: Any) -> None:
    """Batch mode rebuilds a table from its reflection, which does not carry SQLite's
    AUTOINCREMENT: every table the models mark so (models.base.NEVER_REUSE_IDS) keeps it
    through any later migration's rebuild, and gets it when first created."""
    name = table.name.removeprefix("_alembic_tmp_")
    model = target_metadata.tables.get(name)
    if model is not None and model.dialect_options["sqlite"]["autoincrement"]:
        table.dialect_kwargs["sqlite_autoincrement"] = True


def _migrate(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",   # SQLite ALTERs need batch mode
        include_object=include_object,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `hopper db upgrade`")
run_migrations_online()
