"""Quality: gold segments, blind answers (qualification test, hidden gold, second labels),
the segments drawn for double labelling,
a labeller's standing per project, and the project's quality, defect-rule and pay settings.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

PROJECT_COLUMNS = (
    ("qualify_required", sa.Boolean, sa.false()),
    ("qualify_max_error", sa.Float, "0.1"),
    ("qualify_items", sa.Integer, "0"),
    ("gold_share", sa.Float, "0.0"),
    ("double_share", sa.Float, "0.0"),
    ("agree_max_error", sa.Float, "0.1"),
    ("warn_reject", sa.Float, "0.1"),
    ("pause_reject", sa.Float, "0.3"),
    ("warn_gold", sa.Float, "0.15"),
    ("pause_gold", sa.Float, "0.3"),
    ("rules_min", sa.Integer, "10"),
    ("rules_days", sa.Integer, "7"),
    ("pay_unit", sa.String(16), "minute"),
    ("pay_rate", sa.Float, "0.0"),
    ("pay_weighted", sa.Boolean, sa.false()),
)


def upgrade() -> None:
    op.create_index("ix_revisions_author", "revisions", ["author"])
    for name, kind, default in PROJECT_COLUMNS:
        op.add_column("projects", sa.Column(name, kind, nullable=False, server_default=default))
    op.create_table(
        "gold",
        sa.Column("segment_id", sa.Integer, sa.ForeignKey("segments.id"), primary_key=True),
        sa.Column(
            "project_id", sa.Integer, sa.ForeignKey("projects.id"), nullable=False, index=True
        ),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("in_test", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "answers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "project_id", sa.Integer, sa.ForeignKey("projects.id"), nullable=False, index=True
        ),
        sa.Column(
            "segment_id", sa.Integer, sa.ForeignKey("segments.id"), nullable=False, index=True
        ),
        sa.Column("user_name", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False, server_default="0"),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("reference", sa.Text, nullable=False),
        sa.Column("other", sa.String(100)),
        sa.Column("wer", sa.Float, nullable=False),
        sa.Column("cer", sa.Float, nullable=False),
        sa.Column("error", sa.Float, nullable=False),
        sa.Column("audio_seconds", sa.Float, nullable=False, server_default="0"),
        sa.Column("active_seconds", sa.Float, nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("segment_id", "user_name", "kind", "attempt", name="uq_answer"),
    )
    op.create_table(
        "doubles",
        sa.Column("segment_id", sa.Integer, sa.ForeignKey("segments.id"), primary_key=True),
        sa.Column(
            "project_id", sa.Integer, sa.ForeignKey("projects.id"), nullable=False, index=True
        ),
    )
    op.create_table(
        "standings",
        sa.Column("project_id", sa.Integer, sa.ForeignKey("projects.id"), primary_key=True),
        sa.Column("user_name", sa.String(100), primary_key=True),
        sa.Column("attempt", sa.Integer, nullable=False, server_default="0"),
        sa.Column("passed_at", sa.DateTime),
        sa.Column("lifted_at", sa.DateTime),
    )
