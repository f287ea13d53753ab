"""Initial schema: staff directory, preferences, open dossiers, notifications, digests, inbox, outbox.

Revision ID: 0001
Revises:
"""
from alembic import op

from dunghan.db import create_messaging_tables, drop_messaging_tables
from notify import tables as t

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TABLES = (t.officers, t.units, t.preferences, t.open_dossiers, t.notifications, t.digests)


def upgrade() -> None:
    bind = op.get_bind()
    for table in TABLES:
        table.create(bind)
    create_messaging_tables(op)


def downgrade() -> None:
    drop_messaging_tables(op)
    bind = op.get_bind()
    for table in reversed(TABLES):
        table.drop(bind)
