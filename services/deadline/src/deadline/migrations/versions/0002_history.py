"""dossiers loaded as history: counted, never warned about

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 05:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("dossiers", sa.Column("history", sa.Boolean(), nullable=False, server_default="false"))


def downgrade() -> None:
    op.drop_column("dossiers", "history")
