"""Initial schema: dossiers, their event history, thresholds, corrections, recompute log, notices, inbox, outbox.

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
    op.create_table('calendar_notices',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('reference', sa.Text(), server_default='', nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('classification_corrections',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('before', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('after', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_classification_corrections_code'), 'classification_corrections', ['code'], unique=False)
    op.create_table('dossier_events',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('event_id', sa.String(length=128), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('unit', sa.String(length=64), nullable=True),
    sa.Column('officer', sa.String(length=64), nullable=True),
    sa.Column('step', sa.String(length=64), nullable=True),
    sa.Column('new_due_date', sa.Date(), nullable=True),
    sa.Column('decision', sa.String(length=16), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_dossier_events_code'), 'dossier_events', ['code'], unique=False)
    op.create_table('dossiers',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('agency', sa.String(length=64), nullable=False),
    sa.Column('unit', sa.String(length=64), server_default='', nullable=False),
    sa.Column('officer', sa.String(length=64), server_default='', nullable=False),
    sa.Column('procedure_code', sa.String(length=64), nullable=True),
    sa.Column('procedure_version', sa.Integer(), nullable=True),
    sa.Column('procedure', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('channel', sa.Integer(), server_default='0', nullable=False),
    sa.Column('applicant_name', sa.Text(), server_default='', nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('original_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('due_soon_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paused', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('stopped_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('stop_reason', sa.String(length=32), nullable=True),
    sa.Column('state', sa.String(length=32), server_default='pending', nullable=False),
    sa.Column('calendar_version', sa.String(length=200), server_default='', nullable=False),
    sa.Column('next_threshold_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('classification', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('steps', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), server_default=sa.text("'[]'"), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_index('ix_dossiers_next_threshold', 'dossiers', ['next_threshold_at'], unique=False, postgresql_where=sa.text('stopped_at IS NULL'))
    op.create_index('ix_dossiers_open_due', 'dossiers', ['agency', 'unit', 'due_at'], unique=False, postgresql_where=sa.text('stopped_at IS NULL'))
    create_messaging_tables_v1(op)
    op.create_table('recompute_log',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('run_id', sa.String(length=64), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('before_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('after_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('before_calendar_version', sa.String(length=200), nullable=True),
    sa.Column('after_calendar_version', sa.String(length=200), nullable=True),
    sa.Column('recomputed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_recompute_log_run_id'), 'recompute_log', ['run_id'], unique=False)
    op.create_table('thresholds',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('threshold', sa.String(length=160), nullable=False),
    sa.Column('label', sa.String(length=16), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('emitted', sa.Boolean(), nullable=False),
    sa.Column('fired_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('code', 'threshold')
    )


def downgrade() -> None:
    op.drop_table('thresholds')
    op.drop_index(op.f('ix_recompute_log_run_id'), table_name='recompute_log')
    op.drop_table('recompute_log')
    drop_messaging_tables_v1(op)
    op.drop_index('ix_dossiers_open_due', table_name='dossiers', postgresql_where=sa.text('stopped_at IS NULL'))
    op.drop_index('ix_dossiers_next_threshold', table_name='dossiers', postgresql_where=sa.text('stopped_at IS NULL'))
    op.drop_table('dossiers')
    op.drop_index(op.f('ix_dossier_events_code'), table_name='dossier_events')
    op.drop_table('dossier_events')
    op.drop_index(op.f('ix_classification_corrections_code'), table_name='classification_corrections')
    op.drop_table('classification_corrections')
    op.drop_table('calendar_notices')
