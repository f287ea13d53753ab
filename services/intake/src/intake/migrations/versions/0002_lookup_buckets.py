"""The citizen lookup's rate-limit buckets, shared by every web process.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lookup_buckets",
        sa.Column("client", sa.String(100), primary_key=True),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_lookup_buckets_updated_at", "lookup_buckets", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_lookup_buckets_updated_at", table_name="lookup_buckets")
    op.drop_table("lookup_buckets")
