"""sources: republishing rights, full-text fetching, reuse signals; articles: full text

Existing sources keep `rights = 'full'` (what they showed before this revision); sources
added afterwards default to `excerpt`. `full_text` defaults to `auto`. An article's
`full_text_html` is the sanitised main text of its page, when fetched.

Revision ID: 0007_source_rights
Revises: 0006_stories
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_source_rights"
down_revision = "0006_stories"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs (no table rebuild on SQLite, so the articles' search triggers stay).
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("rights", sa.String(16), nullable=False,
                                   server_default="excerpt"))
        batch.add_column(sa.Column("full_text", sa.String(8), nullable=False,
                                   server_default="auto"))
        batch.add_column(sa.Column("full_text_error", sa.Text(), nullable=True))
        batch.add_column(sa.Column("rights_signals", sa.Text(), nullable=True))
    # Sources that existed showed their whole bodies: they keep doing so.
    op.execute("UPDATE sources SET rights = 'full'")
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("full_text_html", sa.Text(), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMNs (SQLite 3.35+): a batch rebuild of `articles` would break the
    # search view and triggers that read it.
    for table, column in (("articles", "full_text_html"), ("sources", "rights_signals"),
                          ("sources", "full_text_error"), ("sources", "full_text"),
                          ("sources", "rights")):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
