"""The citizen lookup's rate-limit buckets, shared by every web process.

Revision ID: 0002
Revises: 0001
"""
from alembic import op

from intake.ratelimit import lookup_buckets

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    lookup_buckets.create(op.get_bind())


def downgrade() -> None:
    lookup_buckets.drop(op.get_bind())
