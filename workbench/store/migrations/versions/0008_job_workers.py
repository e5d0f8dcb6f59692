"""Jobs: the process id and host of the worker running a job, to tell a dead one at once.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("jobs", sa.Column("worker_pid", sa.Integer))
    op.add_column("jobs", sa.Column("worker_host", sa.String(255)))
