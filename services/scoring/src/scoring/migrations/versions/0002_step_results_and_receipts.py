"""step results with their instants, frozen per-step results, corrections' steps, intake receipts by unit

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 09:00:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for col in ("started_at", "due_at", "ended_at"):
        op.add_column("step_results", sa.Column(col, sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_step_results_stopped", "step_results", ["agency", "stopped_at"], unique=False,
                    postgresql_include=["step", "unit", "officer", "outcome", "seq"])
    op.add_column("intake_events", sa.Column("unit", sa.String(length=64), nullable=True))
    op.create_index("ix_intake_events_received", "intake_events", ["agency", "occurred_at"], unique=False,
                    postgresql_include=["kind", "channel", "unit"])
    op.add_column("corrections", sa.Column("steps", postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    op.create_table(
        "phase_step_results",
        sa.Column("campaign_id", sa.String(length=100), nullable=False),
        sa.Column("phase", sa.String(length=50), nullable=False),
        sa.Column("step", sa.String(length=64), nullable=False),
        sa.Column("unit", sa.String(length=64), nullable=False),
        sa.Column("officer", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), server_default="", nullable=False),
        sa.Column("position", sa.SmallInteger(), server_default="0", nullable=False),
        sa.Column("early", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.Column("late", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", "phase", "step", "unit", "officer"),
    )


def downgrade() -> None:
    op.drop_table("phase_step_results")
    op.drop_column("corrections", "steps")
    op.drop_index("ix_intake_events_received", table_name="intake_events")
    op.drop_column("intake_events", "unit")
    op.drop_index("ix_step_results_stopped", table_name="step_results")
    for col in ("ended_at", "due_at", "started_at"):
        op.drop_column("step_results", col)
