"""Assignment: claims on segments or recordings, per-person caps, a project's assignment mode.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "projects", sa.Column("assignment", sa.String(16), nullable=False, server_default="off")
    )
    op.add_column(
        "projects", sa.Column("claim_minutes", sa.Integer, nullable=False, server_default="30")
    )
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "project_id", sa.Integer, sa.ForeignKey("projects.id"), nullable=False, index=True
        ),
        sa.Column("segment_id", sa.Integer, sa.ForeignKey("segments.id"), unique=True),
        sa.Column("recording_id", sa.Integer, sa.ForeignKey("recordings.id"), unique=True),
        sa.Column("user_name", sa.String(100), nullable=False),
        sa.Column("claimed_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "caps",
        sa.Column("project_id", sa.Integer, sa.ForeignKey("projects.id"), primary_key=True),
        sa.Column("user_name", sa.String(100), primary_key=True),
        sa.Column("cap", sa.Integer, nullable=False),
    )
