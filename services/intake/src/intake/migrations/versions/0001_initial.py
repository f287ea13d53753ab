"""Initial schema: registry (agencies, units, officers, source systems, procedures), dossiers, history, inbox/outbox.

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
    op.create_table('agencies',
    sa.Column('code', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('dossier_history',
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('fact', sa.String(length=40), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('sender_event_id', sa.String(length=100), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=50), nullable=True),
    sa.Column('officer', sa.String(length=50), nullable=True),
    sa.Column('step', sa.String(length=50), nullable=True),
    sa.Column('canonical_event_id', sa.String(length=64), nullable=False),
    sa.Column('details', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.PrimaryKeyConstraint('code', 'seq')
    )
    op.create_table('dossiers',
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('agency', sa.String(length=10), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('procedure_code', sa.String(length=50), nullable=True),
    sa.Column('procedure_version', sa.Integer(), nullable=True),
    sa.Column('procedure_field', sa.String(length=200), nullable=True),
    sa.Column('channel', sa.Integer(), nullable=True),
    sa.Column('unit', sa.String(length=50), nullable=True),
    sa.Column('officer', sa.String(length=50), nullable=True),
    sa.Column('step', sa.String(length=50), nullable=True),
    sa.Column('applicant_name', sa.String(length=200), nullable=True),
    sa.Column('id_number_hash', sa.String(length=64), nullable=True),
    sa.Column('applicant_phone', sa.String(length=20), nullable=True),
    sa.Column('applicant_email', sa.String(length=200), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('appointment_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('new_due_date', sa.Date(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('returned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision', sa.String(length=20), nullable=True),
    sa.Column('supplement_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('apology_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_index('ix_dossiers_accepted_at', 'dossiers', ['accepted_at'], unique=False)
    op.create_index('ix_dossiers_agency_status', 'dossiers', ['agency', 'status'], unique=False)
    op.create_index('ix_dossiers_officer', 'dossiers', ['officer'], unique=False)
    op.create_index('ix_dossiers_unit', 'dossiers', ['unit'], unique=False)
    create_messaging_tables_v1(op)
    op.create_table('pending_facts',
    sa.Column('agency', sa.String(length=10), nullable=False),
    sa.Column('event_id', sa.String(length=100), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('fact', sa.String(length=40), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('body', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reply_to', sa.String(length=255), nullable=True),
    sa.Column('correlation_id', sa.String(length=255), nullable=True),
    sa.PrimaryKeyConstraint('agency', 'event_id')
    )
    op.create_index(op.f('ix_pending_facts_code'), 'pending_facts', ['code'], unique=False)
    op.create_index(op.f('ix_pending_facts_received_at'), 'pending_facts', ['received_at'], unique=False)
    op.create_table('problem_reports',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('procedure_code', sa.String(length=50), nullable=False),
    sa.Column('agency', sa.String(length=10), nullable=False),
    sa.Column('reported_by', sa.String(length=100), nullable=False),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('details', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), server_default='open', nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_problem_reports_procedure_code'), 'problem_reports', ['procedure_code'], unique=False)
    op.create_table('procedure_versions',
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('agency', sa.String(length=10), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('field', sa.String(length=200), nullable=False),
    sa.Column('statutory_value', sa.Float(), nullable=False),
    sa.Column('statutory_unit', sa.String(length=20), nullable=False),
    sa.Column('committed_value', sa.Float(), nullable=False),
    sa.Column('committed_unit', sa.String(length=20), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('effective_to', sa.Date(), nullable=True),
    sa.Column('abolished', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('channels', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('steps', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('cutoff', sa.String(length=5), server_default='17:00', nullable=False),
    sa.Column('pause_on_fee', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('legal_basis', sa.Text(), server_default='', nullable=False),
    sa.PrimaryKeyConstraint('code', 'version')
    )
    op.create_index(op.f('ix_procedure_versions_agency'), 'procedure_versions', ['agency'], unique=False)
    op.create_table('received_facts',
    sa.Column('agency', sa.String(length=10), nullable=False),
    sa.Column('event_id', sa.String(length=100), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('reply', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('agency', 'event_id')
    )
    op.create_table('source_systems',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('agency', sa.String(length=10), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('amqp_user', sa.String(length=100), nullable=True),
    sa.Column('api_key_sha256', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('name'),
    sa.UniqueConstraint('amqp_user'),
    sa.UniqueConstraint('api_key_sha256')
    )
    op.create_table('units',
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('agency', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('head_officer', sa.String(length=50), nullable=True),
    sa.Column('union_contact', sa.String(length=50), nullable=True),
    sa.ForeignKeyConstraint(['agency'], ['agencies.code'], ),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_index(op.f('ix_units_agency'), 'units', ['agency'], unique=False)
    op.create_table('officers',
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('agency', sa.String(length=10), nullable=False),
    sa.Column('unit', sa.String(length=50), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=200), server_default='', nullable=False),
    sa.Column('email', sa.String(length=200), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('active', sa.Boolean(), server_default='true', nullable=False),
    sa.ForeignKeyConstraint(['agency'], ['agencies.code'], ),
    sa.ForeignKeyConstraint(['unit'], ['units.code'], ),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_index(op.f('ix_officers_agency'), 'officers', ['agency'], unique=False)
    op.create_index(op.f('ix_officers_unit'), 'officers', ['unit'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_officers_unit'), table_name='officers')
    op.drop_index(op.f('ix_officers_agency'), table_name='officers')
    op.drop_table('officers')
    op.drop_index(op.f('ix_units_agency'), table_name='units')
    op.drop_table('units')
    op.drop_table('source_systems')
    op.drop_table('received_facts')
    op.drop_index(op.f('ix_procedure_versions_agency'), table_name='procedure_versions')
    op.drop_table('procedure_versions')
    op.drop_index(op.f('ix_problem_reports_procedure_code'), table_name='problem_reports')
    op.drop_table('problem_reports')
    op.drop_index(op.f('ix_pending_facts_received_at'), table_name='pending_facts')
    op.drop_index(op.f('ix_pending_facts_code'), table_name='pending_facts')
    op.drop_table('pending_facts')
    drop_messaging_tables_v1(op)
    op.drop_index('ix_dossiers_unit', table_name='dossiers')
    op.drop_index('ix_dossiers_officer', table_name='dossiers')
    op.drop_index('ix_dossiers_agency_status', table_name='dossiers')
    op.drop_index('ix_dossiers_accepted_at', table_name='dossiers')
    op.drop_table('dossiers')
    op.drop_table('dossier_history')
    op.drop_table('agencies')
