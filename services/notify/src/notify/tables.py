"""The notify service's tables (SQLAlchemy Core), plus the shared inbox and outbox."""
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

officers = Table(
    "officers", metadata,
    Column("officer", String(64), primary_key=True),
    Column("agency", String(64), nullable=False),
    Column("unit", String(64), nullable=False),
    Column("full_name", Text, nullable=False),
    Column("email", Text),
    Column("phone", String(32)),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("channels", Json, nullable=False),
    Column("updated_at", TS, nullable=False),
)

units = Table(
    "units", metadata,
    Column("unit", String(64), primary_key=True),
    Column("agency", String(64), nullable=False),
    Column("name", Text, nullable=False),
    Column("head_officer", String(64)),
    Column("union_contact", String(64)),
    Column("updated_at", TS, nullable=False),
)

preferences = Table(
    "preferences", metadata,
    Column("officer", String(64), primary_key=True),
    Column("channels", Json, nullable=False),
    Column("digest", Boolean, nullable=False, server_default=text("true")),
    Column("updated_at", TS, nullable=False),
)

open_dossiers = Table(
    "open_dossiers", metadata,
    Column("code", String(64), primary_key=True),
    Column("agency", String(64), nullable=False),
    Column("unit", String(64), nullable=False),
    Column("officer", String(64), nullable=False),
    Column("due_at", TS),
    Column("procedure_name", Text, nullable=False, server_default=""),
    Column("applicant_name", Text, nullable=False, server_default=""),
    Column("closed", Boolean, nullable=False, server_default=text("false")),
    Column("updated_at", TS, nullable=False),
    Index("ix_open_dossiers_unit", "unit", postgresql_where=text("NOT closed")),
)

notifications = Table(
    "notifications", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("dedupe_key", String(400), nullable=False, unique=True),
    Column("dossier", String(128), nullable=False),
    Column("agency", String(64), nullable=False, server_default=""),
    Column("kind", String(32), nullable=False),
    Column("threshold", String(200), nullable=False),
    Column("recipient", String(64), nullable=False),
    Column("role", String(32), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("address", Text, nullable=False),
    Column("subject", Text, nullable=False, server_default=""),
    Column("body_text", Text, nullable=False),
    Column("body_html", Text),
    Column("segments", Integer, nullable=False, server_default=text("1")),
    Column("status", String(16), nullable=False, server_default="queued"),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("provider_id", Text),
    Column("last_error", Text),
    Column("next_attempt_at", TS, nullable=False),
    Column("claimed_until", TS),
    Column("dead_lettered_at", TS),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    Column("sent_at", TS),
    Index("ix_notifications_due", "next_attempt_at", postgresql_where=text("status IN ('queued', 'sending')")),
    Index("ix_notifications_dossier", "dossier"),
)

digests = Table(
    "digests", metadata,
    Column("officer", String(64), primary_key=True),
    Column("digest_date", Date, primary_key=True),
    Column("created_at", TS, nullable=False),
)

inbox, outbox = messaging_tables(metadata)
