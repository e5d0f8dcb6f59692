"""Pay for blind work: whether a project's pay report counts blind answers (second labels,
hidden gold, qualification test items) beside the final segments.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "projects", sa.Column("pay_answers", sa.Boolean, nullable=False, server_default=sa.false())
    )
