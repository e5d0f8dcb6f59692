"""Drafting settings, per-channel copies, review flags (schema_version 2 before Alembic).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("projects", sa.Column("prompt", sa.Text))
    op.add_column(
        "projects", sa.Column("max_segment", sa.Float, nullable=False, server_default="20.0")
    )
    op.add_column(
        "projects", sa.Column("min_segment", sa.Float, nullable=False, server_default="0.5")
    )
    op.add_column(
        "projects", sa.Column("per_channel", sa.Boolean, nullable=False, server_default=sa.false())
    )
    op.add_column("recordings", sa.Column("channels_path", sa.String(2000)))
    op.add_column("segments", sa.Column("flags", sa.String(500), nullable=False, server_default=""))
