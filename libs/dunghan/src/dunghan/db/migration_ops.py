"""Alembic operations of the shared inbox and outbox, frozen as their first revision wrote them: a service's
first migration calls ``create_messaging_tables_v1(op)``. A later change to the tables is a new function (``_v2``)
called by a new revision of each service, never an edit of this one (``tests/contract/test_migrations.py``)."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

_UNPUBLISHED = sa.text("published_at IS NULL")


def create_messaging_tables_v1(op: Any) -> None:
    op.create_table(
        "inbox",
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("source", "event_id"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("exchange", sa.String(length=200), nullable=False),
        sa.Column("routing_key", sa.String(length=255), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("headers", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"),
                  nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    op.create_index("ix_outbox_unpublished", "outbox", ["id"], unique=False, postgresql_where=_UNPUBLISHED)


def drop_messaging_tables_v1(op: Any) -> None:
    op.drop_index("ix_outbox_unpublished", table_name="outbox", postgresql_where=_UNPUBLISHED)
    op.drop_table("outbox")
    op.drop_table("inbox")
