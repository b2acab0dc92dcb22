"""Schema migrations (Alembic) driven from code: `hopper db upgrade` and the tests call
these, so nobody needs an alembic.ini."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"

# Objects Alembic must not compare with the models: search indexes built by hand in
# migrations (FTS5 tables, tsvector columns and their triggers) that no model describes.
UNMODELLED_PREFIXES = ("articles_fts", "search_")


def include_object(obj: object, name: str | None, type_: str, reflected: bool,
                   compare_to: object) -> bool:
    return not (name and name.startswith(UNMODELLED_PREFIXES))


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "heads") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def revision(url: str, message: str, rev_id: str | None = None) -> None:
    """Autogenerate a new migration from the difference between models and database
    (`hopper db revision`); `rev_id` names it, as `0005_what_it_does` (Alembic makes up
    a random one otherwise)."""
    command.revision(alembic_config(url), message=message, autogenerate=True, rev_id=rev_id)


def current_heads(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def current_revision(url: str) -> str:
    """The database's revision(s) as one line ("base" before the first migration)."""
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        return ", ".join(sorted(current_heads(engine))) or "base"
    finally:
        engine.dispose()


def script_heads(url: str) -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config(url)).get_heads())


def is_up_to_date(engine: Engine, url: str) -> bool:
    return current_heads(engine) == script_heads(url)
