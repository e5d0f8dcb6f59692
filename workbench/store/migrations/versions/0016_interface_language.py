"""The interface language a project gives members who never chose one ('en' | 'ko'; NULL:
Korean for a Korean project, else English; see `core.messages.project_language`).

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("projects", sa.Column("interface_language", sa.String(8)))
