"""Word timings that follow the corrected text: each saved revision's words timed against its
audio by forced alignment, in their own table (a revision stays as it was written).

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "word_timings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "revision_id", sa.Integer, sa.ForeignKey("revisions.id"), nullable=False, unique=True
        ),
        sa.Column("words", sa.JSON),
        sa.Column("model", sa.String(500), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
