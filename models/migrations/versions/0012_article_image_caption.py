"""articles: image_caption, the text printed under the lead image

Until now image_alt was both the lead image's alt text and its printed caption; ingest
now keeps them apart. Existing rows keep their image_alt, and get a caption when their
feed next changes them.

Revision ID: 0012_article_image_caption
Revises: 0011_published_id_index
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_article_image_caption"
down_revision = "0011_published_id_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("image_caption", sa.String(length=500), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): batch mode would rebuild `articles`,
    # which the search views and triggers of 0002_search refer to.
    op.drop_column("articles", "image_caption")
