"""Review sampling settings, and second ASR opinions for the corpus audit.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "projects", sa.Column("review_share", sa.Float, nullable=False, server_default="1.0")
    )
    op.add_column(
        "projects", sa.Column("review_raise_above", sa.Float, nullable=False, server_default="0.2")
    )
    op.create_table(
        "opinions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "segment_id", sa.Integer, sa.ForeignKey("segments.id"), nullable=False, unique=True
        ),
        sa.Column("revision_id", sa.Integer, sa.ForeignKey("revisions.id"), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("language", sa.String(16)),
        sa.Column("avg_logprob", sa.Float),
        sa.Column("wer", sa.Float, nullable=False),
        sa.Column("cer", sa.Float, nullable=False),
        sa.Column("disagreement", sa.Float, nullable=False, index=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
