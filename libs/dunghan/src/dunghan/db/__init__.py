"""Storage plumbing: engine factory, inbox/outbox tables, the outbox relay and Alembic at start-up."""
from dunghan.db.engine import make_engine, sqlalchemy_url
from dunghan.db.messaging import (
    create_messaging_tables,
    drop_messaging_tables,
    inbox_accept,
    messaging_tables,
    outbox_add,
)
from dunghan.db.migrations import run_migrations, upgrade
from dunghan.db.relay import OutboxRelay
from dunghan.db.retention import MessagingRetention, retention_job
from dunghan.db.statements import upsert_statement
from dunghan.db.unit_of_work import after_commit, batch, begin

__all__ = [
    "MessagingRetention",
    "OutboxRelay",
    "after_commit",
    "batch",
    "begin",
    "create_messaging_tables",
    "drop_messaging_tables",
    "inbox_accept",
    "make_engine",
    "messaging_tables",
    "outbox_add",
    "retention_job",
    "run_migrations",
    "sqlalchemy_url",
    "upgrade",
    "upsert_statement",
]
