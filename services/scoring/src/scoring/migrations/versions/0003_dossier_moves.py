"""dossier moves: holders and supplement waits over time, for form 06a of any past period

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 04:45:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dossier_moves",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("unit", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("code", "at", "kind"),
    )


def downgrade() -> None:
    op.drop_table("dossier_moves")
