"""Tables of the scoring database (with the shared inbox and outbox)."""
from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from dunghan.db import messaging_tables

metadata = MetaData()
inbox, outbox = messaging_tables(metadata)
TS = DateTime(timezone=True)

campaigns = Table(
    "campaigns", metadata,
    Column("id", String(100), primary_key=True),
    Column("name", Text, nullable=False),
    Column("agency", String(50), nullable=False),
    Column("plan", Text, nullable=False, server_default=""),
    Column("definition", JSONB, nullable=False),
    Column("created_at", TS, nullable=False, server_default=func.now()),
)

phases = Table(
    "phases", metadata,
    Column("campaign_id", String(100), primary_key=True),
    Column("key", String(50), primary_key=True),
    Column("name", Text, nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("review_date", Date, nullable=False),
    Column("state", String(10), nullable=False, server_default="open"),
    Index("ix_phases_open_review", "review_date", postgresql_where=text("state = 'open'")),
)

dossiers = Table(
    "dossiers", metadata,
    Column("code", String(64), primary_key=True),
    Column("agency", String(50), nullable=False),
    Column("unit", String(64), nullable=False),
    Column("officer", String(64), nullable=False, server_default=""),
    Column("procedure_code", String(64), nullable=False, server_default=""),
    Column("procedure_field", String(100), nullable=False, server_default=""),
    Column("channel", SmallInteger, nullable=False, server_default="1"),
    Column("accepted_at", TS, nullable=False),
    Column("due_at", TS),
    Column("original_due_at", TS),
    Column("waiting_supplement", Boolean, nullable=False, server_default=text("false")),
    Column("stopped_at", TS),
    Column("stop_reason", String(50)),
    Column("outcome", String(10)),
    Column("working_days_diff", Integer),
    Column("resolution_hours", Float),
    Column("apologies", SmallInteger, nullable=False, server_default="0"),
    Column("repeat_supplements", SmallInteger, nullable=False, server_default="0"),
    Column("classified_at", TS),
    Index("ix_dossiers_stopped", "agency", "stopped_at",
          postgresql_include=["unit", "officer", "outcome", "apologies", "repeat_supplements"],
          postgresql_where=text("stopped_at IS NOT NULL")),
    Index("ix_dossiers_accepted", "agency", "accepted_at",
          postgresql_include=["unit", "channel", "stopped_at", "outcome", "original_due_at",
                              "waiting_supplement"]),
)

# A dossier's history as form 06a needs it: who held it (acceptance, transfers) and its supplement waits, so a
# past period's rows do not move when the dossier resolves later.
dossier_moves = Table(
    "dossier_moves", metadata,
    Column("code", String(64), primary_key=True),
    Column("at", TS, primary_key=True),
    Column("kind", String(10), primary_key=True),  # holder | waiting | resumed
    Column("unit", String(64)),
)

step_results = Table(
    "step_results", metadata,
    Column("code", String(64), primary_key=True),
    Column("seq", SmallInteger, primary_key=True),
    Column("agency", String(50), nullable=False),
    Column("stopped_at", TS, nullable=False),
    Column("step", String(64), nullable=False),
    Column("unit", String(64), nullable=False),
    Column("officer", String(64), nullable=False),
    Column("outcome", String(10), nullable=False),
    Column("started_at", TS),
    Column("due_at", TS),
    Column("ended_at", TS),
    Index("ix_step_results_late", "agency", "stopped_at", postgresql_include=["unit", "officer"],
          postgresql_where=text("outcome = 'late'")),
    Index("ix_step_results_stopped", "agency", "stopped_at",
          postgresql_include=["step", "unit", "officer", "outcome", "seq"]),
)

intake_events = Table(
    "intake_events", metadata,
    Column("code", String(64), primary_key=True),
    Column("kind", String(20), primary_key=True),
    Column("agency", String(50), nullable=False),
    Column("channel", SmallInteger),
    Column("occurred_at", TS, nullable=False),
    Column("unit", String(64)),
    Index("ix_intake_events_received", "agency", "occurred_at", postgresql_include=["kind", "channel", "unit"]),
)

names = Table(
    "names", metadata,
    Column("kind", String(10), primary_key=True),
    Column("subject", String(64), primary_key=True),
    Column("agency", String(50), nullable=False),
    Column("name", Text, nullable=False),
    Column("unit", String(64)),
)

complaints = Table(
    "complaints", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("campaign_id", String(100), nullable=False, index=True),
    Column("agency", String(50), nullable=False),
    Column("phase", String(50)),
    Column("kind", String(10), nullable=False),
    Column("subject", String(64), nullable=False),
    Column("dossier_code", String(64), index=True),
    Column("well_founded", Boolean, nullable=False),
    Column("occurred_on", Date, nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("recorded_by", String(100), nullable=False, server_default=""),
    Column("recorded_at", TS, nullable=False, server_default=func.now()),
)

discipline = Table(
    "discipline", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("campaign_id", String(100), nullable=False, index=True),
    Column("officer", String(64), nullable=False),
    Column("unit", String(64), nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date),
    Column("note", Text, nullable=False, server_default=""),
    Column("recorded_by", String(100), nullable=False, server_default=""),
    Column("recorded_at", TS, nullable=False, server_default=func.now()),
)

phase_closures = Table(
    "phase_closures", metadata,
    Column("campaign_id", String(100), nullable=False),
    Column("phase", String(50), nullable=False),
    Column("closed_at", TS, nullable=False),
    Column("closed_by", String(100), nullable=False),
    Column("config", JSONB, nullable=False),
    Column("proposals", JSONB, nullable=False),
    Column("event_id", String(200), nullable=False),
    UniqueConstraint("campaign_id", "phase", name="uq_phase_closures_once"),
)

phase_results = Table(
    "phase_results", metadata,
    Column("campaign_id", String(100), primary_key=True),
    Column("phase", String(50), primary_key=True),
    Column("kind", String(10), primary_key=True),
    Column("subject", String(64), primary_key=True),
    Column("rank", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("unit", String(64), nullable=False, server_default=""),
    Column("score", Float, nullable=False),
    Column("tally", JSONB, nullable=False),
    Column("criteria", JSONB, nullable=False),
    Column("gates", JSONB, nullable=False),
    Column("eligible", Boolean, nullable=False),
)

corrections = Table(
    "corrections", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("campaign_id", String(100), nullable=False),
    Column("phase", String(50), nullable=False),
    Column("code", String(64), nullable=False),
    Column("event_id", String(200), nullable=False),
    Column("unit", String(64), nullable=False),
    Column("officer", String(64), nullable=False),
    Column("outcome", String(10), nullable=False),
    Column("previous_outcome", String(10)),
    Column("stopped_at", TS, nullable=False),
    Column("recorded_at", TS, nullable=False),
    Column("steps", JSONB),
    Index("ix_corrections_phase", "campaign_id", "phase"),
)

phase_step_results = Table(
    "phase_step_results", metadata,
    Column("campaign_id", String(100), primary_key=True),
    Column("phase", String(50), primary_key=True),
    Column("step", String(64), primary_key=True),
    Column("unit", String(64), primary_key=True),
    Column("officer", String(64), primary_key=True),
    Column("name", Text, nullable=False, server_default=""),
    Column("position", SmallInteger, nullable=False, server_default="0"),
    Column("early", Integer, nullable=False),
    Column("on_time", Integer, nullable=False),
    Column("late", Integer, nullable=False),
)

proposals = Table(
    "proposals", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("campaign_id", String(100), nullable=False),
    Column("phase", String(50), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("subject", String(64), nullable=False),
    Column("name", Text, nullable=False),
    Column("unit", String(64), nullable=False, server_default=""),
    Column("role", String(50), nullable=False, server_default=""),
    Column("title", String(100), nullable=False),
    Column("amount_vnd", BigInteger, nullable=False),
    Column("criteria", JSONB, nullable=False),
    Column("origin", String(10), nullable=False),  # system | union
    Column("status", String(10), nullable=False, server_default="proposed"),  # proposed | removed
    Column("reason", Text, nullable=False, server_default=""),
    Column("updated_by", String(100), nullable=False, server_default=""),
    Column("updated_at", TS, nullable=False),
    UniqueConstraint("campaign_id", "phase", "kind", "subject", name="uq_proposals_one_per_subject"),
)

proposal_reviews = Table(
    "proposal_reviews", metadata,
    Column("campaign_id", String(100), primary_key=True),
    Column("phase", String(50), primary_key=True),
    Column("state", String(10), nullable=False),  # drafted | compiled | decided
    Column("decision_number", String(100)),
    Column("decision_date", Date),
    Column("updated_by", String(100), nullable=False, server_default=""),
    Column("updated_at", TS, nullable=False),
)

proposal_log = Table(
    "proposal_log", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("campaign_id", String(100), nullable=False),
    Column("phase", String(50), nullable=False),
    Column("proposal_id", BigInteger),
    Column("action", String(20), nullable=False),
    Column("by", String(100), nullable=False),
    Column("role", String(20), nullable=False),
    Column("at", TS, nullable=False),
    Column("reason", Text, nullable=False, server_default=""),
    Column("details", JSONB, nullable=False),
    Index("ix_proposal_log_review", "campaign_id", "phase", "id"),
)
