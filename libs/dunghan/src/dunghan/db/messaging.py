"""Inbox (consumer-side dedupe) and outbox (publish-after-commit) tables and the functions that write them.

Schema: a service adds both tables to its own ``MetaData`` with ``messaging_tables(metadata)`` (so autogenerate
and its repository see them) and creates them in its first Alembic migration with the frozen operations of
``dunghan.db.migration_ops`` (``create_messaging_tables_v1(op)``); ``tests/contract/test_migrations.py`` keeps the
migrated database equal to the metadata.

``inbox_accept`` and ``outbox_add`` take the connection of the transaction that carries the effect: the dedupe
row, the effect and the events it causes commit or roll back together.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    func,
    insert,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert

from dunghan.bus.topology import EVENTS_EXCHANGE
from dunghan.contract.envelope import CloudEvent, encode
from dunghan.contract.events import event_routing_key

INBOX = "inbox"
OUTBOX = "outbox"
UNPUBLISHED_INDEX = "ix_outbox_unpublished"
_UNPUBLISHED = "published_at IS NULL"


def _inbox_columns() -> list[Column[Any]]:
    return [
        Column("source", String(200), primary_key=True),
        Column("event_id", String(200), primary_key=True),
        Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    ]


def _outbox_columns() -> list[Column[Any]]:
    return [
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("event_id", String(200), nullable=False, unique=True),
        Column("exchange", String(200), nullable=False),
        Column("routing_key", String(255), nullable=False),
        Column("body", LargeBinary, nullable=False),
        Column("headers", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("published_at", DateTime(timezone=True), nullable=True),
        Column("attempts", Integer, nullable=False, server_default=text("0")),
        Column("last_error", Text, nullable=True),
    ]


def messaging_tables(metadata: MetaData) -> tuple[Table, Table]:
    """Add ``inbox`` and ``outbox`` to a service's metadata; returns them."""
    inbox = Table(INBOX, metadata, *_inbox_columns())
    outbox = Table(
        OUTBOX, metadata, *_outbox_columns(),
        Index(UNPUBLISHED_INDEX, "id", postgresql_where=text(_UNPUBLISHED)),
    )
    return inbox, outbox


inbox_table, outbox_table = messaging_tables(MetaData())
# Built once: these run for every message, and building a statement costs more than executing a cached one.
_INBOX_INSERT = pg_insert(inbox_table).on_conflict_do_nothing().returning(inbox_table.c.event_id)
_OUTBOX_INSERT = insert(outbox_table)
# One statement text whatever the number of rows (arrays, not a VALUES row each): parsed and planned once.
_INBOX_INSERT_MANY = text(
    f"INSERT INTO {INBOX} (source, event_id) SELECT * FROM unnest(:sources, :event_ids) "
    "ON CONFLICT DO NOTHING RETURNING source, event_id"
).bindparams(bindparam("sources", type_=ARRAY(String)), bindparam("event_ids", type_=ARRAY(String)))


def inbox_accept(conn: Connection, source: str, event_id: str) -> bool:
    """Record ``(source, event_id)``; False if it was already there (a redelivery: skip the effect)."""
    return conn.execute(_INBOX_INSERT, {"source": source, "event_id": event_id}).first() is not None


OUTBOX_CHANNEL = "dunghan_outbox"
_NOTIFY = text(f"NOTIFY {OUTBOX_CHANNEL}")
_NOTIFIED = "dunghan_outbox_notified"


def outbox_add(
    conn: Connection, ce: CloudEvent, exchange: str = EVENTS_EXCHANGE, routing_key: str | None = None,
    headers: Mapping[str, Any] | None = None,
) -> None:
    """Queue ``ce`` for publication once this transaction commits (the relay sends it).

    Headers ``ce-type``, ``ce-subject`` and ``ce-time`` are set as ``Publisher.publish_event`` sets them;
    ``headers`` add more.
    """
    conn.execute(_OUTBOX_INSERT, outbox_row(ce, exchange, routing_key, headers))
    _notify_once(conn)


def outbox_add_many(conn: Connection, events: Sequence[CloudEvent]) -> None:
    """``outbox_add`` of several events (default exchange and routing keys) in one statement, in this order."""
    if events:
        conn.execute(_OUTBOX_INSERT, [outbox_row(ce, EVENTS_EXCHANGE, None, None) for ce in events])
        _notify_once(conn)


def inbox_accept_many(conn: Connection, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """``inbox_accept`` of several ``(source, event_id)`` in one statement: the keys that were new."""
    unique = list(dict.fromkeys(keys))
    if not unique:
        return set()
    params = {"sources": [s for s, _ in unique], "event_ids": [e for _, e in unique]}
    return {(r.source, r.event_id) for r in conn.execute(_INBOX_INSERT_MANY, params)}


def outbox_row(ce: CloudEvent, exchange: str = EVENTS_EXCHANGE, routing_key: str | None = None,
               headers: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The outbox columns of ``ce`` (for a statement that inserts it along with other rows)."""
    all_headers = {"ce-type": ce.type, "ce-subject": ce.subject or "", "ce-time": ce.time.isoformat(),
                   **(headers or {})}
    return {
        "event_id": ce.id, "exchange": exchange, "routing_key": routing_key or event_routing_key(ce.type, ce.data),
        "body": encode(ce), "headers": json.loads(json.dumps(all_headers, default=str)),
    }


def _notify_once(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        # Delivered at commit; wakes the relays at once instead of at their next poll. Once per transaction
        # is enough (a consumer's batch adds many rows in one).
        transaction = conn.get_transaction()
        if transaction is None or conn.info.get(_NOTIFIED) is not transaction:
            conn.execute(_NOTIFY)
            conn.info[_NOTIFIED] = transaction
