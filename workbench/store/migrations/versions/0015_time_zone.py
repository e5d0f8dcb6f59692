"""A project's time zone: where its pay periods' days begin and, unless a person chose their
own, the zone its times are shown in (NULL: the server's).

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("projects", sa.Column("time_zone", sa.String(64)))
