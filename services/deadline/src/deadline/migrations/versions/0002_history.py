"""dossiers loaded as history: counted, never warned about

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 05:00:00
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # 0001 builds its tables from the current metadata, so a fresh database already has the column
    op.execute("ALTER TABLE dossiers ADD COLUMN IF NOT EXISTS history boolean NOT NULL DEFAULT false")


def downgrade() -> None:
    op.execute("ALTER TABLE dossiers DROP COLUMN IF EXISTS history")
