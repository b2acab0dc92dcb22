"""identity: ids are never reused, and every session carries a random per-user secret

A security review found that a deleted account's kept cookies opened the next account
created on SQLite: `users.id` had no AUTOINCREMENT, so SQLite handed the deleted (highest)
id to the next user, and the session id "<id>:<session_version>" matched because every new
user started at version 1. Both halves are closed here:

- SQLite: the tables whose ids appear in cookies, tokens or links (users, sources,
  articles, playlists, comments) are rebuilt with AUTOINCREMENT (PostgreSQL's sequences
  never reuse ids). The rebuild drops the triggers and the view of the SQLite full-text
  index on `articles`, so they are made again and the index rebuilt.
- `users.session_version` (a counter) becomes `users.session_secret` (random per user,
  replaced on logout, password change and suspension). Every existing session is signed
  out once by the upgrade.

Downgrade restores `session_version` (signing everyone out again); the tables keep
AUTOINCREMENT, which the older code does not mind.

Revision ID: 0005_identity
Revises: 0004_search_body_prefixes
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0005_identity"
down_revision = "0004_search_body_prefixes"
branch_labels = None
depends_on = None

NEVER_REUSED = ("users", "sources", "articles", "playlists", "comments")

# What 0002 made on `articles` for SQLite's full-text index, which a rebuild drops.
_ADD_NEW = (
    "INSERT INTO articles_fts(rowid, title, summary, content) "
    "VALUES (new.id, new.title, new.summary, new.content_html); "
    "INSERT INTO articles_fts_prefix(rowid, title, summary) "
    "VALUES (new.id, new.title, new.summary);")
_REMOVE_OLD = (
    "INSERT INTO articles_fts(articles_fts, rowid, title, summary, content) "
    "VALUES ('delete', old.id, old.title, old.summary, old.content_html); "
    "INSERT INTO articles_fts_prefix(articles_fts_prefix, rowid, title, summary) "
    "VALUES ('delete', old.id, old.title, old.summary);")
_SEARCH_OBJECTS_ON_ARTICLES = (
    "CREATE VIEW articles_fts_source AS "
    "SELECT id, title, summary, content_html AS content FROM articles",
    "CREATE TRIGGER articles_fts_after_insert AFTER INSERT ON articles BEGIN "
    + _ADD_NEW + " END",
    "CREATE TRIGGER articles_fts_after_delete AFTER DELETE ON articles BEGIN "
    + _REMOVE_OLD + " END",
    "CREATE TRIGGER articles_fts_after_update AFTER UPDATE OF title, summary, content_html "
    "ON articles BEGIN " + _REMOVE_OLD + " " + _ADD_NEW + " END",
    "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
    "INSERT INTO articles_fts_prefix(articles_fts_prefix) VALUES ('rebuild')",
)


def _rebuild_with_autoincrement() -> None:
    # SQLite refuses to rename a table while a view names a table that is missing, and
    # the triggers go with the old table: drop them first, make them again after.
    op.execute("DROP VIEW IF EXISTS articles_fts_source")
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS articles_fts_after_{trigger}")
    for table in NEVER_REUSED:
        # migrations/env.py adds AUTOINCREMENT to the rebuilt table (as to any later one).
        with op.batch_alter_table(table, recreate="always"):
            pass
    for statement in _SEARCH_OBJECTS_ON_ARTICLES:
        op.execute(statement)


def upgrade() -> None:
    is_sqlite = op.get_bind().dialect.name == "sqlite"
    if is_sqlite:
        _rebuild_with_autoincrement()
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("session_secret", sa.String(64), nullable=True))
    users = sa.table("users", sa.column("id", sa.Integer),
                     sa.column("session_secret", sa.String))
    bind = op.get_bind()
    for (user_id,) in bind.execute(sa.select(users.c.id)).all():
        bind.execute(users.update().where(users.c.id == user_id)
                     .values(session_secret=secrets.token_urlsafe(24)))
    with op.batch_alter_table("users") as batch:
        batch.alter_column("session_secret", existing_type=sa.String(64), nullable=False)
        batch.drop_column("session_version")


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("session_version", sa.Integer(), nullable=False,
                                   server_default="1"))
    with op.batch_alter_table("users") as batch:
        batch.alter_column("session_version", existing_type=sa.Integer(),
                           server_default=None)
        batch.drop_column("session_secret")
