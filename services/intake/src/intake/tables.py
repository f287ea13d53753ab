"""Intake's tables (SQLAlchemy Core), plus the shared inbox/outbox; the migrations create exactly these."""
from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB

from dunghan.db import messaging_tables

metadata = MetaData()
J = JSON().with_variant(JSONB(), "postgresql")

agencies = Table(
    "agencies", metadata,
    Column("code", String(10), primary_key=True),
    Column("name", String(300), nullable=False),
)
units = Table(
    "units", metadata,
    Column("code", String(50), primary_key=True),
    Column("agency", String(10), ForeignKey("agencies.code"), nullable=False, index=True),
    Column("name", String(300), nullable=False),
    Column("head_officer", String(50)),
    Column("union_contact", String(50)),
)
officers = Table(
    "officers", metadata,
    Column("code", String(50), primary_key=True),
    Column("agency", String(10), ForeignKey("agencies.code"), nullable=False, index=True),
    Column("unit", String(50), ForeignKey("units.code"), nullable=False, index=True),
    Column("full_name", String(200), nullable=False),
    Column("title", String(200), nullable=False, server_default=""),
    Column("email", String(200)),
    Column("phone", String(20)),
    Column("active", Boolean, nullable=False, server_default="true"),
)
source_systems = Table(
    "source_systems", metadata,
    Column("name", String(100), primary_key=True),
    Column("agency", String(10), nullable=False),
    Column("role", String(20), nullable=False),
    Column("amqp_user", String(100), unique=True),
    Column("api_key_sha256", String(64), unique=True),
)
procedures = Table(
    "procedure_versions", metadata,
    Column("code", String(50), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("agency", String(10), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("field", String(200), nullable=False),
    Column("statutory_value", Float, nullable=False),
    Column("statutory_unit", String(20), nullable=False),
    Column("committed_value", Float, nullable=False),
    Column("committed_unit", String(20), nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("effective_to", Date),
    Column("abolished", Boolean, nullable=False, server_default="false"),
    Column("channels", J, nullable=False),
    Column("steps", J, nullable=False),
    Column("cutoff", String(5), nullable=False, server_default="17:00"),
    Column("pause_on_fee", Boolean, nullable=False, server_default="false"),
    Column("legal_basis", Text, nullable=False, server_default=""),
)
problem_reports = Table(
    "problem_reports", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("procedure_code", String(50), nullable=False, index=True),
    Column("agency", String(10), nullable=False),
    Column("reported_by", String(100), nullable=False),
    Column("summary", String(500), nullable=False),
    Column("details", Text, nullable=False, server_default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("status", String(20), nullable=False, server_default="open"),
)
dossiers = Table(
    "dossiers", metadata,
    Column("code", String(30), primary_key=True),
    Column("agency", String(10), nullable=False),
    Column("status", Integer, nullable=False),
    Column("procedure_code", String(50)),
    Column("procedure_version", Integer),
    Column("procedure_field", String(200)),
    Column("channel", Integer),
    Column("unit", String(50)),
    Column("officer", String(50)),
    Column("step", String(50)),
    Column("applicant_name", String(200)),
    Column("id_number_hash", String(64)),
    Column("applicant_phone", String(20)),
    Column("applicant_email", String(200)),
    Column("submitted_at", DateTime(timezone=True)),
    Column("accepted_at", DateTime(timezone=True)),
    Column("appointment_at", DateTime(timezone=True)),
    Column("new_due_date", Date),
    Column("resolved_at", DateTime(timezone=True)),
    Column("returned_at", DateTime(timezone=True)),
    Column("decision", String(20)),
    Column("supplement_count", Integer, nullable=False, server_default="0"),
    Column("apology_count", Integer, nullable=False, server_default="0"),
    Column("updated_at", DateTime(timezone=True)),
    Index("ix_dossiers_agency_status", "agency", "status"),
    Index("ix_dossiers_unit", "unit"),
    Index("ix_dossiers_officer", "officer"),
    Index("ix_dossiers_accepted_at", "accepted_at"),
)
dossier_history = Table(
    "dossier_history", metadata,
    Column("code", String(30), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("fact", String(40), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("source", String(100), nullable=False),
    Column("sender_event_id", String(100), nullable=False),
    Column("status", Integer, nullable=False),
    Column("unit", String(50)),
    Column("officer", String(50)),
    Column("step", String(50)),
    Column("canonical_event_id", String(64), nullable=False),
    Column("details", J, nullable=False),
)
received_facts = Table(
    "received_facts", metadata,
    Column("agency", String(10), primary_key=True),
    Column("event_id", String(100), primary_key=True),
    Column("digest", String(64), nullable=False),
    Column("state", String(20), nullable=False),
    Column("reply", J, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)
pending_facts = Table(
    "pending_facts", metadata,
    Column("agency", String(10), primary_key=True),
    Column("event_id", String(100), primary_key=True),
    Column("code", String(30), nullable=False, index=True),
    Column("fact", String(40), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("body", J, nullable=False),
    Column("source", String(100), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, index=True),
    Column("reply_to", String(255)),
    Column("correlation_id", String(255)),
)
inbox, outbox = messaging_tables(metadata)

TABLES = (agencies, units, officers, source_systems, procedures, problem_reports, dossiers, dossier_history,
          received_facts, pending_facts)
lookup_buckets = Table(
    "lookup_buckets", metadata,
    Column("client", String(100), primary_key=True),
    Column("tokens", Float, nullable=False),
    Column("allowed", Boolean, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, index=True),
)
