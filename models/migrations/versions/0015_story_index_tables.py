"""stories: the term index without a rowid on SQLite; member counts from an index alone

Two changes to what every poll writes and recounts for its stories (bench/ingest.py
--stories-overhead):

1. On SQLite, `story_terms` was a rowid table beside its primary-key index: each entry
   went into three B-trees (the rows, the (term, story_id) key, the story_id index), and
   the key already holds all the row has. As a WITHOUT ROWID table the key is the table:
   a first poll's thousands of entries are inserted about a fifth faster, and term
   lookups read the same pages as before. The table is copied over (entries are few per
   open story: at most tens of thousands of rows). PostgreSQL keeps its heap table.

2. `ix_articles_story_published` (story_id, published_at) gains `source_id`: the
   recount a poll makes of each story it joined (members, distinct sources, first and
   last publication: models/stories.py `refresh_counts`) reads the index alone, not every
   member's row (a row carries its body, so a large story's recount read many pages). The
   story pages' order by publication still reads its prefix.

Revision ID: 0015_story_index_tables
Revises: 0014_search_body_text
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_story_index_tables"
down_revision = "0014_search_body_text"
branch_labels = None
depends_on = None


def _copy_story_terms(*, with_rowid: bool) -> None:
    op.create_table(
        "story_terms_new",
        sa.Column("term", sa.String(length=64), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"],
                                name=op.f("fk_story_terms_story_id_stories"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("term", "story_id", name=op.f("pk_story_terms")),
        sqlite_with_rowid=with_rowid,
    )
    op.execute("INSERT INTO story_terms_new (term, story_id) "
               "SELECT term, story_id FROM story_terms")
    op.drop_index("ix_story_terms_story_id", table_name="story_terms")
    op.drop_table("story_terms")
    op.rename_table("story_terms_new", "story_terms")
    op.create_index("ix_story_terms_story_id", "story_terms", ["story_id"])


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _copy_story_terms(with_rowid=False)
    op.create_index("ix_articles_story_published_source", "articles",
                    ["story_id", "published_at", "source_id"])
    op.drop_index("ix_articles_story_published", table_name="articles")


def downgrade() -> None:
    op.create_index("ix_articles_story_published", "articles", ["story_id", "published_at"])
    op.drop_index("ix_articles_story_published_source", table_name="articles")
    if op.get_bind().dialect.name == "sqlite":
        _copy_story_terms(with_rowid=True)
