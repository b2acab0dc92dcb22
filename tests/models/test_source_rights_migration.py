"""Revision 0007: sources that existed keep showing what they showed (rights = full);
sources added afterwards start at excerpt."""

from __future__ import annotations

from sqlalchemy import text

import models
from models import migrate
from models import sources as source_rows
from models.db import session_scope


def test_existing_sources_keep_full_rights_and_new_ones_default_to_excerpt(
        scratch_database_url: str) -> None:
    url = scratch_database_url
    migrate.upgrade(url, "0004_search_body_prefixes")
    database = models.db.make_database(url)
    try:
        with database.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO sources (url, name, status, error_count, unfinished_polls, "
                "interval_minutes, next_poll_at, created_at) VALUES ('http://old.test/feed', "
                "'Old', 'ok', 0, 0, 30, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        migrate.upgrade(url)
        with session_scope(database) as session:
            old = source_rows.by_url(session, "http://old.test/feed")
            assert old is not None
            assert (old.rights, old.full_text) == ("full", "auto")
            new = source_rows.add(session, "http://new.test/feed")
            assert (new.rights, new.full_text) == ("excerpt", "auto")
        migrate.downgrade(url, "0004_search_body_prefixes")
        migrate.upgrade(url)
    finally:
        database.dispose()
