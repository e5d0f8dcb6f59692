"""Speakers, guidelines, tags, comments, and a revision's whole state (schema_version 3 before
Alembic).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("projects", sa.Column("speakers", sa.JSON))
    op.add_column("projects", sa.Column("guidelines", sa.Text))
    op.add_column(
        "projects", sa.Column("lint_blocks", sa.Boolean, nullable=False, server_default=sa.false())
    )
    op.add_column("segments", sa.Column("tags", sa.String(500), nullable=False, server_default=""))
    op.add_column("segments", sa.Column("comment", sa.Text, nullable=False, server_default=""))
    for column in [
        sa.Column("op", sa.String(16)),
        sa.Column("status", sa.String(16)),
        sa.Column("speaker", sa.String(200)),
        sa.Column("tags", sa.String(500)),
        sa.Column("comment", sa.Text),
        sa.Column("active_seconds", sa.Float),
    ]:
        op.add_column("revisions", column)
