"""search: SQLite's full-text indexes merge their segments less often while ingest writes

Each write transaction adds a segment to each FTS5 index, and with FTS5's default
(`automerge` 4) every fourth segment of a level is merged at once, inside the transaction
that made it, under SQLite's one write lock. 16 (FTS5's largest) merges each word's
entries fewer times over: the store step of a 1,000-feed first pass without story
clustering took 5-10 % less CPU, and `hopper ingest --all`'s first pass 4 % less time and
CPU (5.60 s against 5.83 s, six alternated runs each); search at 100,000 articles stored 300 per transaction answered as fast as before
(bench/search.py --per-transaction 300, every p95 within 2 ms). The setting is kept in
each index's own config table: a later migration that recreates an index must set it
again. PostgreSQL is unchanged.

Revision ID: 0013_search_merge_less_often
Revises: 0012_article_image_caption
"""

from alembic import op

revision = "0013_search_merge_less_often"
down_revision = "0012_article_image_caption"
branch_labels = None
depends_on = None

INDEXES = ("articles_fts", "articles_fts_prefix")


def _set_automerge(segments: int) -> None:
    if op.get_bind().dialect.name == "sqlite":
        for index in INDEXES:
            # Only constants are formatted in: the index names above and an integer.
            op.execute(f"INSERT INTO {index}({index}, rank) "  # noqa: S608
                       f"VALUES ('automerge', {int(segments)})")


def upgrade() -> None:
    _set_automerge(16)


def downgrade() -> None:
    _set_automerge(4)        # FTS5's default
