"""Drafts that learn: the learned vocabulary, suggested rewrite rules, fine-tuned model
versions, held-out measures, each draft's batch (its job) and confidence (for a queue that
puts the model's least sure segments first), and the project's adaptation settings.

Revision ID: 0011
Revises: 0010
"""

import math

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "projects", sa.Column("holdout_share", sa.Float, nullable=False, server_default="0.1")
    )
    op.add_column(
        "projects", sa.Column("queue_order", sa.String(16), nullable=False, server_default="time")
    )
    op.add_column(
        "projects", sa.Column("use_terms", sa.Boolean, nullable=False, server_default=sa.false())
    )
    op.add_column("recordings", sa.Column("draft_job", sa.Integer))
    op.add_column("segments", sa.Column("confidence", sa.Float))
    op.create_table(
        "terms",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "project_id", sa.Integer, sa.ForeignKey("projects.id"), nullable=False, index=True
        ),
        sa.Column("term", sa.String(200), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("segments", sa.Integer, nullable=False, server_default="0"),
        sa.Column("people", sa.Integer, nullable=False, server_default="0"),
        sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("project_id", "term", name="uq_term"),
    )
    op.create_table(
        "rewrites",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "project_id", sa.Integer, sa.ForeignKey("projects.id"), nullable=False, index=True
        ),
        sa.Column("before", sa.String(500), nullable=False),
        sa.Column("after", sa.String(500), nullable=False),
        sa.Column("segments", sa.Integer, nullable=False, server_default="0"),
        sa.Column("people", sa.Integer, nullable=False, server_default="0"),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(100)),
        sa.Column("decided_at", sa.DateTime),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("project_id", "before", "after", name="uq_rewrite"),
    )
    op.create_table(
        "models",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "project_id", sa.Integer, sa.ForeignKey("projects.id"), nullable=False, index=True
        ),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("engine", sa.String(32), nullable=False),
        sa.Column("path", sa.String(2000), nullable=False),
        sa.Column("base", sa.String(500), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("job_id", sa.Integer),
        sa.Column("train_segments", sa.Integer, nullable=False, server_default="0"),
        sa.Column("heldout_segments", sa.Integer, nullable=False, server_default="0"),
        sa.Column("metric", sa.String(8)),
        sa.Column("error_before", sa.Float),
        sa.Column("error_after", sa.Float),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("promoted_at", sa.DateTime),
        sa.UniqueConstraint("project_id", "n", name="uq_model_n"),
    )
    op.create_table(
        "measures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "project_id", sa.Integer, sa.ForeignKey("projects.id"), nullable=False, index=True
        ),
        sa.Column("step", sa.String(100), nullable=False),
        sa.Column("metric", sa.String(8), nullable=False),
        sa.Column("error", sa.Float, nullable=False),
        sa.Column("segments", sa.Integer, nullable=False),
        sa.Column("seconds", sa.Float, nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    _backfill_confidence()


def _backfill_confidence() -> None:
    """Each drafted segment's confidence: the mean probability of its draft's words."""
    revisions = sa.table(
        "revisions",
        sa.column("segment_id", sa.Integer),
        sa.column("n", sa.Integer),
        sa.column("source", sa.String),
        sa.column("asr_meta", sa.JSON),
    )
    segments = sa.table("segments", sa.column("id", sa.Integer), sa.column("confidence", sa.Float))
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(revisions.c.segment_id, revisions.c.asr_meta).where(
            revisions.c.n == 1, revisions.c.source == "asr"
        )
    )
    values = []
    for segment_id, meta in rows:
        words = (meta or {}).get("words") or []
        probabilities = [w.get("probability") for w in words if w.get("probability") is not None]
        if probabilities:
            values.append({"sid": segment_id, "c": sum(probabilities) / len(probabilities)})
        elif (meta or {}).get("avg_logprob") is not None:
            values.append({"sid": segment_id, "c": math.exp(meta["avg_logprob"])})
    if values:
        conn.execute(
            sa.update(segments)
            .where(segments.c.id == sa.bindparam("sid"))
            .values(confidence=sa.bindparam("c")),
            values,
        )
