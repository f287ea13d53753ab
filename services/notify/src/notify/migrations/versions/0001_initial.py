"""Initial schema: staff directory, preferences, open dossiers, notifications, digests, inbox, outbox.

Frozen: a fixed list of operations, as the schema stood at this revision (never built from today's ``tables.py``,
so a later change of a table needs its own revision; ``test_migrations.py`` fails when they drift apart).

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

from dunghan.db.migration_ops import create_messaging_tables_v1, drop_messaging_tables_v1
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('digests',
    sa.Column('officer', sa.String(length=64), nullable=False),
    sa.Column('digest_date', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('officer', 'digest_date')
    )
    create_messaging_tables_v1(op)
    op.create_table('notifications',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('dedupe_key', sa.String(length=400), nullable=False),
    sa.Column('dossier', sa.String(length=128), nullable=False),
    sa.Column('agency', sa.String(length=64), server_default='', nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('threshold', sa.String(length=200), nullable=False),
    sa.Column('recipient', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('subject', sa.Text(), server_default='', nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=True),
    sa.Column('segments', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('status', sa.String(length=16), server_default='queued', nullable=False),
    sa.Column('attempts', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('provider_id', sa.Text(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('dead_lettered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('dedupe_key')
    )
    op.create_index('ix_notifications_dossier', 'notifications', ['dossier'], unique=False)
    op.create_index('ix_notifications_due', 'notifications', ['next_attempt_at'], unique=False, postgresql_where=sa.text("status IN ('queued', 'sending')"))
    op.create_table('officers',
    sa.Column('officer', sa.String(length=64), nullable=False),
    sa.Column('agency', sa.String(length=64), nullable=False),
    sa.Column('unit', sa.String(length=64), nullable=False),
    sa.Column('full_name', sa.Text(), nullable=False),
    sa.Column('email', sa.Text(), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('channels', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('officer')
    )
    op.create_table('open_dossiers',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('agency', sa.String(length=64), nullable=False),
    sa.Column('unit', sa.String(length=64), nullable=False),
    sa.Column('officer', sa.String(length=64), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('procedure_name', sa.Text(), server_default='', nullable=False),
    sa.Column('applicant_name', sa.Text(), server_default='', nullable=False),
    sa.Column('closed', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_index('ix_open_dossiers_unit', 'open_dossiers', ['unit'], unique=False, postgresql_where=sa.text('NOT closed'))
    op.create_table('preferences',
    sa.Column('officer', sa.String(length=64), nullable=False),
    sa.Column('channels', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('digest', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('officer')
    )
    op.create_table('units',
    sa.Column('unit', sa.String(length=64), nullable=False),
    sa.Column('agency', sa.String(length=64), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('head_officer', sa.String(length=64), nullable=True),
    sa.Column('union_contact', sa.String(length=64), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('unit')
    )


def downgrade() -> None:
    op.drop_table('units')
    op.drop_table('preferences')
    drop_messaging_tables_v1(op)
    op.drop_index('ix_open_dossiers_unit', table_name='open_dossiers', postgresql_where=sa.text('NOT closed'))
    op.drop_table('open_dossiers')
    op.drop_table('officers')
    op.drop_index('ix_notifications_due', table_name='notifications', postgresql_where=sa.text("status IN ('queued', 'sending')"))
    op.drop_index('ix_notifications_dossier', table_name='notifications')
    op.drop_table('notifications')
    op.drop_table('digests')
