"""search: full-text indexes on articles, kept current by the database itself

Two indexes per engine: one of word stems for full searches ("election" finds
"elections") and one of whole words for prefix searches while the reader types (a stem
index cannot answer "electi*": the stored stem is "elect").
SQLite: FTS5 external-content tables `articles_fts` (title, summary, content; porter
stems) and `articles_fts_prefix` (title, summary; words) over the view
`articles_fts_source`, with AFTER INSERT/UPDATE/DELETE triggers on `articles`.
PostgreSQL: generated, stored tsvector columns `search_vector` (english: title A,
summary B, text of the content C) and `search_prefix_vector` (simple: title A, summary B)
with GIN indexes `search_vector_idx` and `search_prefix_vector_idx`.
Ingest does nothing special: every write to `articles` keeps the indexes current. The
names start with `articles_fts` / `search_` so autogenerate ignores them (models/migrate.py).

Revision ID: 0002_search
Revises: 0001
"""

from alembic import op

revision = "0002_search"
down_revision = "0001"
branch_labels = None
depends_on = None

# The FTS5 table reads columns by name from its content table; `articles` names its body
# `content_html`, so a view renames it. The index holds words of the raw HTML (SQLite has
# no tag stripper); the weights below make title and summary matches count most.
_ADD_NEW = (
    "INSERT INTO articles_fts(rowid, title, summary, content) "
    "VALUES (new.id, new.title, new.summary, new.content_html); "
    "INSERT INTO articles_fts_prefix(rowid, title, summary) "
    "VALUES (new.id, new.title, new.summary);")
# External-content FTS5 deletes need the values that were indexed: the old row's.
_REMOVE_OLD = (
    "INSERT INTO articles_fts(articles_fts, rowid, title, summary, content) "
    "VALUES ('delete', old.id, old.title, old.summary, old.content_html); "
    "INSERT INTO articles_fts_prefix(articles_fts_prefix, rowid, title, summary) "
    "VALUES ('delete', old.id, old.title, old.summary);")

SQLITE_UPGRADE = (
    "CREATE VIEW articles_fts_source AS "
    "SELECT id, title, summary, content_html AS content FROM articles",
    "CREATE VIRTUAL TABLE articles_fts USING fts5("
    "title, summary, content, content='articles_fts_source', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2', prefix='2 3')",
    "CREATE VIRTUAL TABLE articles_fts_prefix USING fts5("
    "title, summary, content='articles_fts_source', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2', prefix='1 2 3')",
    "CREATE TRIGGER articles_fts_after_insert AFTER INSERT ON articles BEGIN "
    + _ADD_NEW + " END",
    "CREATE TRIGGER articles_fts_after_delete AFTER DELETE ON articles BEGIN "
    + _REMOVE_OLD + " END",
    # Only text changes touch the index: view and share counters update rows all day.
    "CREATE TRIGGER articles_fts_after_update AFTER UPDATE OF title, summary, content_html "
    "ON articles BEGIN " + _REMOVE_OLD + " " + _ADD_NEW + " END",
    # Backfill the rows that exist already.
    "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
    "INSERT INTO articles_fts_prefix(articles_fts_prefix) VALUES ('rebuild')",
)

SQLITE_DOWNGRADE = (
    "DROP TRIGGER IF EXISTS articles_fts_after_update",
    "DROP TRIGGER IF EXISTS articles_fts_after_delete",
    "DROP TRIGGER IF EXISTS articles_fts_after_insert",
    "DROP TABLE IF EXISTS articles_fts_prefix",
    "DROP TABLE IF EXISTS articles_fts",
    "DROP VIEW IF EXISTS articles_fts_source",
)

# Adding a stored generated column computes it for every existing row (the backfill).
# Tags are stripped from the content and its text capped: a tsvector holds at most 1 MB.
POSTGRESQL_UPGRADE = (
    "ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, left(regexp_replace("
    "coalesce(content_html, ''), '<[^>]*>', ' ', 'g'), 100000)), 'C')) STORED",
    "CREATE INDEX search_vector_idx ON articles USING gin (search_vector)",
    "ALTER TABLE articles ADD COLUMN search_prefix_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce(summary, '')), 'B')) STORED",
    "CREATE INDEX search_prefix_vector_idx ON articles USING gin (search_prefix_vector)",
)

POSTGRESQL_DOWNGRADE = (
    "DROP INDEX IF EXISTS search_prefix_vector_idx",
    "ALTER TABLE articles DROP COLUMN IF EXISTS search_prefix_vector",
    "DROP INDEX IF EXISTS search_vector_idx",
    "ALTER TABLE articles DROP COLUMN IF EXISTS search_vector",
)


def _run(statements: tuple[str, ...]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_UPGRADE)
    elif dialect == "postgresql":
        _run(POSTGRESQL_UPGRADE)
    else:
        raise NotImplementedError(f"no full-text search for {dialect}")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_DOWNGRADE)
    elif dialect == "postgresql":
        _run(POSTGRESQL_DOWNGRADE)
