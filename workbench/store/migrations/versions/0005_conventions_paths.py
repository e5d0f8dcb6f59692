"""A project's conventions may name a profile file by its path: room for it (String(2000)).

SQLite does not enforce VARCHAR lengths, so there is nothing to do there (and SQLite cannot
alter a column in place); PostgreSQL widens the column.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column(
            "projects",
            "conventions",
            type_=sa.String(2000),
            existing_type=sa.String(64),
            existing_nullable=False,
        )
