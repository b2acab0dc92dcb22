"""reader indexes: most read by (published_at, view_count); a tag's articles by
(tag_id, article_id), replacing the tag_id-only index

Revision ID: 0003_reader_indexes
Revises: 0002_search
"""

from alembic import op

revision = "0003_reader_indexes"
down_revision = "0002_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.create_index("ix_articles_published_views", ["published_at", "view_count"],
                              unique=False)
    with op.batch_alter_table("article_tags", schema=None) as batch_op:
        batch_op.create_index("ix_article_tags_tag_id_article_id", ["tag_id", "article_id"],
                              unique=False)
        batch_op.drop_index("ix_article_tags_tag_id")


def downgrade() -> None:
    with op.batch_alter_table("article_tags", schema=None) as batch_op:
        batch_op.create_index("ix_article_tags_tag_id", ["tag_id"], unique=False)
        batch_op.drop_index("ix_article_tags_tag_id_article_id")
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_index("ix_articles_published_views")
