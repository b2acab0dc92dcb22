"""search: SQLite's full-text index reads an article body's text, not its markup

The FTS5 index of `articles` was fed the raw sanitised HTML (SQLite has no tag stripper):
the words of every tag, attribute and URL (`a href https www … rel noopener noreferrer
nofollow`, `img src wp content uploads 1024x683 jpg`) and of every entity (`amp`,
`nbsp`) were words of the article, so a search for "content" or "uploads" found every
article with a link or a picture. The triggers and the content view now pass the body
through `hopper_body_text_v1` (models/search_text.py: tags out, entities decoded), a
function Hopper's SQLite connections carry, and the index is rebuilt from it.
PostgreSQL is unchanged: its generated `search_vector` already strips tags.

The index rebuild reads every article once: on a large instance the upgrade takes a
while (about a second per 10,000 articles here). Its `automerge` setting (0013) lives
in the index's own config table and is kept.

A writer to `articles` must have the function: `sqlite3 hopper.db` can read and back up
the database, but writing articles through it fails with "no such function" (nothing is
written) — go through `hopper`.

Revision ID: 0014_search_body_text
Revises: 0013_search_merge_less_often
"""

from alembic import op

revision = "0014_search_body_text"
down_revision = "0013_search_merge_less_often"
branch_labels = None
depends_on = None

TEXT_OF = "hopper_body_text_v1"     # models.search_text.SQL_FUNCTION, frozen here


def _objects(content: str, old_content: str) -> tuple[str, ...]:
    """The view and triggers that feed `articles_fts` (as 0002 and 0005 made them, the
    body read through `content`). `articles_fts_prefix` holds title and summary only."""
    add_new = ("INSERT INTO articles_fts(rowid, title, summary, content) "
               f"VALUES (new.id, new.title, new.summary, {content}); "
               "INSERT INTO articles_fts_prefix(rowid, title, summary) "
               "VALUES (new.id, new.title, new.summary);")
    # External-content FTS5 deletes need the values that were indexed: the old row's.
    remove_old = ("INSERT INTO articles_fts(articles_fts, rowid, title, summary, content) "
                  f"VALUES ('delete', old.id, old.title, old.summary, {old_content}); "
                  "INSERT INTO articles_fts_prefix(articles_fts_prefix, rowid, title, summary) "
                  "VALUES ('delete', old.id, old.title, old.summary);")
    view_content = content.replace("new.content_html", "content_html")
    return (
        "CREATE VIEW articles_fts_source AS "
        f"SELECT id, title, summary, {view_content} AS content FROM articles",
        "CREATE TRIGGER articles_fts_after_insert AFTER INSERT ON articles BEGIN "
        + add_new + " END",
        "CREATE TRIGGER articles_fts_after_delete AFTER DELETE ON articles BEGIN "
        + remove_old + " END",
        "CREATE TRIGGER articles_fts_after_update AFTER UPDATE OF title, summary, "
        "content_html ON articles BEGIN " + remove_old + " " + add_new + " END",
    )


def _replace(content: str, old_content: str) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS articles_fts_after_{trigger}")
    op.execute("DROP VIEW IF EXISTS articles_fts_source")
    for statement in _objects(content, old_content):
        op.execute(statement)
    # Every row again, read through the new view: what is indexed is what deletes give.
    op.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")


def upgrade() -> None:
    _replace(f"{TEXT_OF}(new.content_html)", f"{TEXT_OF}(old.content_html)")


def downgrade() -> None:
    _replace("new.content_html", "old.content_html")
