"""stories: one story per event; articles.story_id; sources.is_preferred

Every existing article becomes a story of its own (`hopper stories rebuild` clusters
them afterwards); a story's id is the article's id, so the backfill is two statements.
`story_terms` is the inverted index assignment reads (models/stories.py).

Revision ID: 0006_stories
Revises: 0005_identity
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_stories"
down_revision = "0005_identity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_article_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=True),
        sa.Column("first_published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("article_count", sa.Integer(), nullable=False),
        sa.Column("source_count", sa.Integer(), nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("centroid", sa.Text(), nullable=False),
        sa.Column("lead_terms", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["section_id"], ["sections.id"],
                                name=op.f("fk_stories_section_id_sections"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stories")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.create_index("ix_stories_open_last", ["is_open", "last_published_at"])
        batch_op.create_index("ix_stories_section_last", ["section_id", "last_published_at"])
    op.create_table(
        "story_terms",
        sa.Column("term", sa.String(length=64), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"],
                                name=op.f("fk_story_terms_story_id_stories"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("term", "story_id", name=op.f("pk_story_terms")),
    )
    with op.batch_alter_table("story_terms", schema=None) as batch_op:
        batch_op.create_index("ix_story_terms_story_id", ["story_id"])

    # A plain ADD COLUMN (no table rebuild on SQLite: `articles` carries full-text
    # triggers and cascading foreign keys).
    if op.get_bind().dialect.name == "postgresql":
        op.add_column("articles", sa.Column(
            "story_id", sa.Integer(),
            sa.ForeignKey("stories.id", name="fk_articles_story_id_stories"), nullable=True))
    else:
        op.execute("ALTER TABLE articles ADD COLUMN story_id INTEGER "
                   "CONSTRAINT fk_articles_story_id_stories REFERENCES stories (id)")
    op.execute(
        "INSERT INTO stories (id, lead_article_id, title, section_id, first_published_at, "
        "last_published_at, article_count, source_count, is_open, created_at, centroid, "
        "lead_terms) SELECT id, id, title, section_id, published_at, published_at, 1, 1, "
        f"{'true' if op.get_bind().dialect.name == 'postgresql' else '1'}, created_at, "
        "'{}', '{}' FROM articles")
    op.execute("UPDATE articles SET story_id = id")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SELECT setval(pg_get_serial_sequence('stories', 'id'), "
                   "coalesce((SELECT max(id) FROM stories), 0) + 1, false)")
    op.create_index("ix_articles_story_published", "articles", ["story_id", "published_at"])
    op.add_column("sources", sa.Column("is_preferred", sa.Boolean(), nullable=False,
                                       server_default=sa.false()))


def downgrade() -> None:
    op.drop_index("ix_articles_story_published", table_name="articles")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_column("sources", "is_preferred")
        op.drop_constraint("fk_articles_story_id_stories", "articles", type_="foreignkey")
        op.drop_column("articles", "story_id")
    else:
        # Plain DROP COLUMN (SQLite 3.35+), never a batch rebuild: dropping `sources` or
        # `articles` to rebuild them would cascade to the rows that reference them.
        op.execute("ALTER TABLE sources DROP COLUMN is_preferred")
        op.execute("ALTER TABLE articles DROP COLUMN story_id")
    op.drop_table("story_terms")
    op.drop_table("stories")
