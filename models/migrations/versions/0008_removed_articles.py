"""removed articles: id, title, publisher and original link of articles retention
deleted, so their addresses answer 410 Gone with a link to the original

Revision ID: 0008
Revises: 0004_search_body_prefixes
"""

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "0008"
down_revision = "0004_search_body_prefixes"
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
