"""articles: index (published_at, id) in place of (published_at)

Newest-first pages order by published_at and then id; with id in the index PostgreSQL
reads a page's ids, and the rows an OFFSET skips, from the index alone (SQLite's
indexes carry the rowid already). The single-column index is its prefix: dropped.

Revision ID: 0011_published_id_index
Revises: 0010_article_images
"""

from alembic import op

revision = "0011_published_id_index"
down_revision = "0010_article_images"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_articles_published_id", "articles", ["published_at", "id"])
    op.drop_index("ix_articles_published_at", table_name="articles")


def downgrade() -> None:
    op.create_index("ix_articles_published_at", "articles", ["published_at"])
    op.drop_index("ix_articles_published_id", table_name="articles")
