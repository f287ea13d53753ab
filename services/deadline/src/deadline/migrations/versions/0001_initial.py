"""Initial schema: dossiers, their event history, thresholds, corrections, recompute log, notices, inbox, outbox.

Revision ID: 0001
Revises:
"""
from alembic import op

from deadline import tables as t
from dunghan.db import create_messaging_tables, drop_messaging_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TABLES = (t.dossiers, t.dossier_events, t.thresholds, t.classification_corrections, t.recompute_log,
          t.calendar_notices)


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
