"""The receipt's appointment and its mismatch flag per dossier; the announced procedure catalogue.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("dossiers", sa.Column("appointment_at", sa.DateTime(timezone=True)))
    op.add_column("dossiers", sa.Column("appointment_mismatch", sa.Boolean(), nullable=False,
                                        server_default="false"))
    op.create_table(
        "procedure_versions",
        sa.Column("code", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("agency", sa.String(64), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date()),
        sa.Column("abolished", sa.Boolean(), nullable=False, server_default="false"),
        sa.Column("channels", postgresql.JSONB(), nullable=False),
        sa.Column("procedure", postgresql.JSONB(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("procedure_versions")
    op.drop_column("dossiers", "appointment_mismatch")
    op.drop_column("dossiers", "appointment_at")
