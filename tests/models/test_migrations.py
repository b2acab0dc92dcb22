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


def test_identity_migration_keeps_every_row_and_signs_everyone_out_once(
        scratch_database_url: str) -> None:
    """0005: on SQLite the tables whose ids reach cookies and links are rebuilt with
    AUTOINCREMENT; the rebuild must not cascade-delete children (playlists of a user) nor
    lose the search index, and each user gets a secret of their own."""
    from sqlalchemy import text

    from models.db import session_scope
    from tests.models.test_search import search

    url = scratch_database_url
    migrate.upgrade(url, "0004_search_body_prefixes")
    scratch = models.db.make_database(url)
    try:
        with session_scope(scratch) as session:
            for email in ("a@example.test", "b@example.test"):
                session.execute(text(
                    "INSERT INTO users (email, password_hash, display_name, is_admin, "
                    "is_suspended, session_version, created_at) VALUES "
                    "(:email, 'x', '', false, false, 1, CURRENT_TIMESTAMP)"), {"email": email})
            session.execute(text(
                "INSERT INTO playlists (user_id, name, is_public, share_token, created_at) "
                "SELECT id, 'Later', false, 'tok', CURRENT_TIMESTAMP FROM users "
                "WHERE email = 'b@example.test'"))
            # Raw rows: the models describe the newest schema, not 0004's.
            session.execute(text(
                "INSERT INTO sources (url, name, status, error_count, unfinished_polls, "
                "interval_minutes, next_poll_at, created_at) VALUES ('https://news.example/"
                "feed', 'News', 'ok', 0, 0, 30, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
            session.execute(text(
                "INSERT INTO articles (source_id, entry_key, entry_hash, title, summary, "
                "content_html, content_hash, is_video, published_at, created_at, modified_at, "
                "view_count, share_count, comment_count) SELECT id, 'k', :hash, "
                "'Harbour dredged', '', '<p>Barges</p>', 'c', false, CURRENT_TIMESTAMP, "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 0, 0, 0 FROM sources"), {"hash": "h" * 64})

        migrate.upgrade(url)

        with session_scope(scratch) as session:
            secrets = session.execute(text("SELECT session_secret FROM users")).scalars().all()
            assert len(secrets) == 2 and len(set(secrets)) == 2 and all(secrets)
            assert session.scalar(text("SELECT count(*) FROM playlists")) == 1
            if scratch.is_sqlite:
                for table in ("users", "sources", "articles", "playlists", "comments"):
                    sql = session.scalar(text(
                        "SELECT sql FROM sqlite_master WHERE name = :t"), {"t": table})
                    assert "AUTOINCREMENT" in sql, table
        assert search(scratch, "barges") == ["Harbour dredged"]
        from tests.article_rows import ArticleRows
        ArticleRows(scratch).article("Ferry timetable", content_html="<p>Barges too</p>")
        assert sorted(search(scratch, "barges")) == ["Ferry timetable", "Harbour dredged"]
    finally:
        scratch.dispose()
