"""Storage plumbing: engine factory, inbox/outbox tables, the unit of work, the outbox relay, Alembic at start-up.

Names are loaded on first use (importing ``dunghan.db.engine`` does not load the relay, Alembic or the bus).
"""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dunghan.db.engine import make_engine, sqlalchemy_url
    from dunghan.db.messaging import (
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
    from dunghan.db.unit_of_work import ConnectionUnitOfWork, SqlUnitOfWork, lock_keys

_WHERE = {
    "make_engine": "engine", "sqlalchemy_url": "engine",
    "inbox_accept": "messaging", "inbox_accept_many": "messaging", "messaging_tables": "messaging",
    "outbox_add": "messaging", "outbox_add_many": "messaging", "outbox_row": "messaging",
    "outbox_table": "messaging",
    "run_migrations": "migrations", "upgrade": "migrations",
    "OutboxRelay": "relay",
    "MessagingRetention": "retention", "retention_job": "retention",
    "upsert_statement": "statements",
    "SqlUnitOfWork": "unit_of_work", "ConnectionUnitOfWork": "unit_of_work", "lock_keys": "unit_of_work",
}
__all__ = [
    "ConnectionUnitOfWork",
    "MessagingRetention",
    "OutboxRelay",
    "SqlUnitOfWork",
    "inbox_accept",
    "inbox_accept_many",
    "lock_keys",
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


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'dunghan.db' has no attribute {name!r}")
    value = getattr(import_module(f"dunghan.db.{module}"), name)
    globals()[name] = value
    return value
