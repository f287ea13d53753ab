"""Initial schema: registry (agencies, units, officers, source systems, procedures), dossiers, history, inbox/outbox.

Revision ID: 0001
Revises:
"""
from alembic import op

from dunghan.db import create_messaging_tables, drop_messaging_tables
from intake import tables as t

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    for table in t.TABLES:
        table.create(bind)
    create_messaging_tables(op)


def downgrade() -> None:
    drop_messaging_tables(op)
    bind = op.get_bind()
    for table in reversed(t.TABLES):
        table.drop(bind)
