"""search: drop the prefix indexes of the SQLite stemmed index, which no query reads

Prefix (live) searches read `articles_fts_prefix`; `articles_fts` answers whole-word
queries only, yet was built with `prefix='2 3'`, so every word of every article body was
indexed three times: the largest share of an article insert's cost. PostgreSQL is
unchanged.

Revision ID: 0004_search_body_prefixes
Revises: 0003_reader_indexes
"""

from alembic import op

revision = "0004_search_body_prefixes"
down_revision = "0003_reader_indexes"
branch_labels = None
depends_on = None

_COLUMNS = ("title, summary, content, content='articles_fts_source', content_rowid='id', "
            "tokenize='porter unicode61 remove_diacritics 2'")


def _recreate(options: str) -> None:
    # The triggers on `articles` name the table, not its definition: they carry on.
    op.execute("DROP TABLE articles_fts")
    op.execute(f"CREATE VIRTUAL TABLE articles_fts USING fts5({_COLUMNS}{options})")
    op.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _recreate("")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _recreate(", prefix='2 3'")
