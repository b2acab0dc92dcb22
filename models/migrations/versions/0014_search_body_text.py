"""search: an article matches by the text of the body readers see, not by its markup

1. SQLite's index read the markup.

The FTS5 index of `articles` was fed the raw sanitised HTML (SQLite has no tag stripper):
the words of every tag, attribute and URL (`a href https www … rel noopener noreferrer
nofollow`, `img src wp content uploads 1024x683 jpg`) and of every entity (`amp`,
`nbsp`) were words of the article, so a search for "content" or "uploads" found every
article with a link or a picture. The triggers and the content view now pass the body
through `hopper_body_text_v1` (models/search_text.py: tags out, entities decoded), a
function Hopper's SQLite connections carry, and the index is rebuilt from it.
(PostgreSQL's generated `search_vector` already stripped tags.)

2. Neither engine indexed the page text fetched for a summary-only feed
(`full_text_html`, migration 0007), which the article page shows instead of the feed's
summary: a reader searching for a word of the article they had read found nothing. Both
now index the body readers see, `coalesce(nullif(full_text_html, ''), content_html)`
(Article.shown_body_html; search only counts it for `full` sources, the only ones shown
it). On SQLite the update trigger also fires when the full text arrives; on PostgreSQL
the generated column is made again (PostgreSQL before 17 cannot change its expression),
which rewrites `articles` once.

The index rebuild reads every article once: 100,000 articles of about 1.5 KB took 2.8 s
on SQLite and 27 s on PostgreSQL, which holds `articles` locked meanwhile (stop the web
and workers for a large instance's upgrade). The SQLite index's
`automerge` setting (0013) lives in its own config table and is kept.

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
SHOWN = "coalesce(nullif({row}full_text_html, ''), {row}content_html)"


def _objects(content: str, old_content: str, updated_columns: str) -> tuple[str, ...]:
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
    view_content = content.replace("new.", "")
    return (
        "CREATE VIEW articles_fts_source AS "
        f"SELECT id, title, summary, {view_content} AS content FROM articles",
        "CREATE TRIGGER articles_fts_after_insert AFTER INSERT ON articles BEGIN "
        + add_new + " END",
        "CREATE TRIGGER articles_fts_after_delete AFTER DELETE ON articles BEGIN "
        + remove_old + " END",
        f"CREATE TRIGGER articles_fts_after_update AFTER UPDATE OF {updated_columns} "
        "ON articles BEGIN " + remove_old + " " + add_new + " END",
    )


def _replace_sqlite(content: str, old_content: str, updated_columns: str) -> None:
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS articles_fts_after_{trigger}")
    op.execute("DROP VIEW IF EXISTS articles_fts_source")
    for statement in _objects(content, old_content, updated_columns):
        op.execute(statement)
    # Every row again, read through the new view: what is indexed is what deletes give.
    op.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")


def _replace_postgresql(body: str) -> None:
    """The generated column (as 0002 made it, but for the body's expression) and its
    index, made again. Tags stripped, text capped: a tsvector holds at most 1 MB."""
    op.execute("DROP INDEX IF EXISTS search_vector_idx")
    op.execute("ALTER TABLE articles DROP COLUMN IF EXISTS search_vector")
    op.execute(
        "ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
        "setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || "
        "setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B') || "
        "setweight(to_tsvector('english'::regconfig, left(regexp_replace("
        f"coalesce({body}, ''), '<[^>]*>', ' ', 'g'), 100000)), 'C')) STORED")
    op.execute("CREATE INDEX search_vector_idx ON articles USING gin (search_vector)")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _replace_sqlite(f"{TEXT_OF}({SHOWN.format(row='new.')})",
                        f"{TEXT_OF}({SHOWN.format(row='old.')})",
                        "title, summary, content_html, full_text_html")
    else:
        _replace_postgresql(SHOWN.format(row=""))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _replace_sqlite("new.content_html", "old.content_html", "title, summary, content_html")
    else:
        _replace_postgresql("content_html")
