"""article images: what the background check found about each lead image

`image_status` is NULL until checked, then "ok" or "dead" (failed, not an image, tiny);
`image_width`/`image_height` are the original's size, for <img width height>.

Revision ID: 0010_article_images
Revises: 0009_removed_articles
"""

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "0010_article_images"
down_revision = "0009_removed_articles"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("image_status", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("image_checked_at", UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("image_width", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("image_height", sa.Integer(), nullable=True))


COLUMNS = ("image_height", "image_width", "image_checked_at", "image_status")


def downgrade() -> None:
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): batch mode would rebuild `articles`,
    # which the search views and triggers of 0002_search refer to.
    for column in COLUMNS:
        op.drop_column("articles", column)
