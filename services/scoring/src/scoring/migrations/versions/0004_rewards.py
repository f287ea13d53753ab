"""the final review (tổng kết) of every campaign as a phase row; reward proposals with their workflow and log

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 05:00:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.execute("""
        INSERT INTO phases (campaign_id, key, name, starts_on, ends_on, review_date, state)
        SELECT p.campaign_id, 'tong-ket', 'Tổng kết chiến dịch “' || c.name || '”', min(p.starts_on), max(p.ends_on),
               max(p.review_date), 'open'
        FROM phases p JOIN campaigns c ON c.id = p.campaign_id GROUP BY p.campaign_id, c.name
        ON CONFLICT DO NOTHING
    """)
    op.create_table(
        "proposals",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("campaign_id", sa.String(length=100), nullable=False),
        sa.Column("phase", sa.String(length=50), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(length=64), nullable=False, server_default=""),
        sa.Column("role", sa.String(length=50), nullable=False, server_default=""),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("amount_vnd", sa.BigInteger(), nullable=False),
        sa.Column("criteria", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("origin", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False, server_default="proposed"),
        sa.Column("reason", sa.Text(), nullable=False, server_default=""),
        sa.Column("updated_by", sa.String(length=100), nullable=False, server_default=""),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_id", "phase", "kind", "subject", name="uq_proposals_one_per_subject"),
    )
    op.create_table(
        "proposal_reviews",
        sa.Column("campaign_id", sa.String(length=100), nullable=False),
        sa.Column("phase", sa.String(length=50), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("decision_number", sa.String(length=100), nullable=True),
        sa.Column("decision_date", sa.Date(), nullable=True),
        sa.Column("updated_by", sa.String(length=100), nullable=False, server_default=""),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", "phase"),
    )
    op.create_table(
        "proposal_log",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("campaign_id", sa.String(length=100), nullable=False),
        sa.Column("phase", sa.String(length=50), nullable=False),
        sa.Column("proposal_id", sa.BigInteger(), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("by", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False, server_default=""),
        sa.Column("details", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_proposal_log_review", "proposal_log", ["campaign_id", "phase", "id"])


def downgrade() -> None:
    op.drop_index("ix_proposal_log_review", table_name="proposal_log")
    op.drop_table("proposal_log")
    op.drop_table("proposal_reviews")
    op.drop_table("proposals")
    op.execute("DELETE FROM phases WHERE key = 'tong-ket'")
