"""The deadline service's tables (SQLAlchemy Core), plus the shared inbox and outbox."""
from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from dunghan.db import messaging_tables

metadata = MetaData()
Json = JSON().with_variant(JSONB(), "postgresql")
TS = DateTime(timezone=True)

dossiers = Table(
    "dossiers", metadata,
    Column("code", String(64), primary_key=True),
    Column("agency", String(64), nullable=False),
    Column("unit", String(64), nullable=False, server_default=""),
    Column("officer", String(64), nullable=False, server_default=""),
    Column("procedure_code", String(64)),
    Column("procedure_version", Integer),
    Column("procedure", Json),
    Column("channel", Integer, nullable=False, server_default="0"),
    Column("applicant_name", Text, nullable=False, server_default=""),
    Column("accepted_at", TS),
    Column("start_at", TS),
    Column("due_at", TS),
    Column("original_due_at", TS),
    Column("due_date", Date),
    Column("due_soon_at", TS),
    Column("paused", Boolean, nullable=False, server_default="false"),
    Column("stopped_at", TS),
    Column("stop_reason", String(32)),
    Column("state", String(32), nullable=False, server_default="pending"),
    Column("calendar_version", String(200), nullable=False, server_default=""),
    Column("next_threshold_at", TS),
    Column("classification", Json),
    Column("steps", Json, nullable=False, server_default=text("'[]'")),
    Column("history", Boolean, nullable=False, server_default="false"),
    Column("appointment_at", TS),
    Column("appointment_mismatch", Boolean, nullable=False, server_default="false"),
    Column("updated_at", TS, nullable=False),
    Index("ix_dossiers_next_threshold", "next_threshold_at", postgresql_where=text("stopped_at IS NULL")),
    Index("ix_dossiers_open_due", "agency", "unit", "due_at", postgresql_where=text("stopped_at IS NULL")),
)

dossier_events = Table(
    "dossier_events", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("code", String(64), nullable=False, index=True),
    Column("event_id", String(128), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("at", TS, nullable=False),
    Column("unit", String(64)),
    Column("officer", String(64)),
    Column("step", String(64)),
    Column("new_due_date", Date),
    Column("decision", String(16)),
    Column("received_at", TS, nullable=False),
)

thresholds = Table(
    "thresholds", metadata,
    Column("code", String(64), primary_key=True),
    Column("threshold", String(160), primary_key=True),
    Column("label", String(16), nullable=False),
    Column("due_at", TS, nullable=False),
    Column("emitted", Boolean, nullable=False),
    Column("fired_at", TS, nullable=False),
)

classification_corrections = Table(
    "classification_corrections", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("code", String(64), nullable=False, index=True),
    Column("before", Json, nullable=False),
    Column("after", Json, nullable=False),
    Column("recorded_at", TS, nullable=False),
)

recompute_log = Table(
    "recompute_log", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("run_id", String(64), nullable=False, index=True),
    Column("code", String(64), nullable=False),
    Column("before_due_at", TS),
    Column("after_due_at", TS),
    Column("before_calendar_version", String(200)),
    Column("after_calendar_version", String(200)),
    Column("recomputed_at", TS, nullable=False),
)

calendar_notices = Table(
    "calendar_notices", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("date", Date, nullable=False),
    Column("kind", String(8), nullable=False),
    Column("name", Text, nullable=False),
    Column("reference", Text, nullable=False, server_default=""),
    Column("effective_from", Date),
    Column("created_at", TS, nullable=False),
)

# The catalogue as intake announces it (procedure_updated): what the due-date preview computes from.
procedure_versions = Table(
    "procedure_versions", metadata,
    Column("code", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("agency", String(64), nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("effective_to", Date),
    Column("abolished", Boolean, nullable=False, server_default="false"),
    Column("channels", Json, nullable=False),
    Column("procedure", Json, nullable=False),
    Column("updated_at", TS, nullable=False),
)

messaging_tables(metadata)
