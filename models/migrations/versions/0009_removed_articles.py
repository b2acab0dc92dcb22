"""removed articles: id, title, publisher and original link of articles retention
deleted, so their addresses answer 410 Gone with a link to the original

Revision ID: 0009_removed_articles
Revises: 0008_websub_subscriptions
"""

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "0009_removed_articles"
down_revision = "0008_websub_subscriptions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "removed_articles",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("source_name", sa.String(length=300), nullable=False),
        sa.Column("removed_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_removed_articles")),
    )


def downgrade() -> None:
    op.drop_table("removed_articles")
