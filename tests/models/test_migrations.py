"""Alembic drives the schema: migrations build exactly the models' schema, and step back."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

import models
from models import migrate
from models.db import Database
from models.migrate import include_object


def test_migrations_produce_exactly_the_models_schema(migrated_database: Database) -> None:
    with migrated_database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "include_object": include_object, "compare_type": True})
        differences = compare_metadata(context, models.Base.metadata)
    assert differences == []


def test_database_is_at_every_head(migrated_database: Database, settings) -> None:
    assert migrate.is_up_to_date(migrated_database.engine, settings.database_url)


def test_upgrade_downgrade_upgrade_round_trip(scratch_database_url: str) -> None:
    """On the run's backend: a scratch SQLite file, or a scratch PostgreSQL database."""
    url = scratch_database_url
    migrate.upgrade(url)
    database = models.db.make_database(url)
    try:
        assert "articles" in inspect(database.engine).get_table_names()
        migrate.downgrade(url, "base")
        assert "articles" not in inspect(database.engine).get_table_names()
        migrate.upgrade(url)
        assert migrate.is_up_to_date(database.engine, url)
    finally:
        database.dispose()
