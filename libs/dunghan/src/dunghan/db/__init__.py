"""Storage plumbing: engine factory, inbox/outbox tables, the outbox relay and Alembic at start-up."""
from dunghan.db.engine import make_engine, sqlalchemy_url
from dunghan.db.messaging import (
    BatchInbox,
    InboxBatch,
    inbox_accept,
    inbox_accept_many,
    messaging_tables,
    outbox_add,
    outbox_add_many,
    outbox_row,
    outbox_table,
)
from dunghan.db.migrations import run_migrations, upgrade
from dunghan.db.relay import OutboxRelay
from dunghan.db.retention import MessagingRetention, retention_job
from dunghan.db.statements import upsert_statement
from dunghan.db.unit_of_work import after_commit, batch, batch_member, begin, lock_keys, made_member

__all__ = [
    "BatchInbox",
    "InboxBatch",
    "MessagingRetention",
    "OutboxRelay",
    "after_commit",
    "batch",
    "batch_member",
    "begin",
    "inbox_accept",
    "inbox_accept_many",
    "lock_keys",
    "made_member",
    "make_engine",
    "messaging_tables",
    "outbox_add",
    "outbox_add_many",
    "outbox_row",
    "outbox_table",
    "retention_job",
    "run_migrations",
    "sqlalchemy_url",
    "upgrade",
    "upsert_statement",
]
