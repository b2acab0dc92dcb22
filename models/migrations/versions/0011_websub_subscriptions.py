"""websub: one subscription per source whose feed names a WebSub hub

Revision ID: 0011_websub_subscriptions
Revises: 0007_source_rights
"""

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0011_websub_subscriptions"
down_revision = "0007_source_rights"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "websub_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("hub_url", sa.String(length=2048), nullable=False),
        sa.Column("topic_url", sa.String(length=2048), nullable=False),
        sa.Column("callback_token", sa.String(length=64), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("lease_seconds", sa.Integer(), nullable=True),
        sa.Column("lease_expires_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("next_request_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("requested_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("request_failures", sa.Integer(), nullable=False),
        sa.Column("verified_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_delivery_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("deliveries", sa.Integer(), nullable=False),
        sa.Column("rejected_deliveries", sa.Integer(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"],
                                name=op.f("fk_websub_subscriptions_source_id_sources"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_websub_subscriptions")),
        sa.UniqueConstraint("callback_token",
                            name=op.f("uq_websub_subscriptions_callback_token")),
        sa.UniqueConstraint("source_id", name=op.f("uq_websub_subscriptions_source_id")),
    )
    op.create_index("ix_websub_subscriptions_next_request_at", "websub_subscriptions",
                    ["next_request_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_websub_subscriptions_next_request_at",
                  table_name="websub_subscriptions")
    op.drop_table("websub_subscriptions")
