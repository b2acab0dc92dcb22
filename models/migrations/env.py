"""Alembic environment: runs against the URL (or connection) handed in by models.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import pool

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
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None, "models.migrate sets sqlalchemy.url"
    engine = make_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
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
