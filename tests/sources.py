"""Sources and article counts straight in the database, for tests of what polls them."""

from __future__ import annotations

from sqlalchemy import func, select

from models import sources as source_rows
from models.articles import Article
from models.db import Database, session_scope


def add_source(database: Database, url: str, **fields: object) -> int:
    """A source added as `hopper sources add` would, then given `fields`; its id."""
    with session_scope(database) as session:
        source = source_rows.add(session, url)
        for name, value in fields.items():
            setattr(source, name, value)
        return source.id


def article_count(database: Database) -> int:
    with database.reader() as session:
        return session.scalar(select(func.count()).select_from(Article)) or 0
