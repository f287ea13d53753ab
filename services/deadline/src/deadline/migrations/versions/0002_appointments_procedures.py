"""The receipt's appointment and its mismatch flag per dossier; the announced procedure catalogue.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

from deadline import tables as t

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    # 0001 creates ``dossiers`` from the current table definition, which already has the new columns.
    existing = {c["name"] for c in sa.inspect(bind).get_columns("dossiers")}
    if "appointment_at" not in existing:
        op.add_column("dossiers", sa.Column("appointment_at", sa.DateTime(timezone=True)))
    if "appointment_mismatch" not in existing:
        op.add_column("dossiers", sa.Column("appointment_mismatch", sa.Boolean(), nullable=False,
                                            server_default="false"))
    t.procedure_versions.create(bind)


def downgrade() -> None:
    t.procedure_versions.drop(op.get_bind())
    op.drop_column("dossiers", "appointment_mismatch")
    op.drop_column("dossiers", "appointment_at")
