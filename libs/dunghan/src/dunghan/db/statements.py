"""Statements the services build once at import and run with parameters (building one costs more than running
it from SQLAlchemy's cache)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert


def upsert_statement(table: Table, update: Sequence[str] | None = None,
                     values: Mapping[str, Any] | None = None) -> Any:
    """``INSERT … ON CONFLICT (primary key) DO UPDATE`` of ``update`` (default: every other column), each set to
    the inserted value; the values come as parameters at execution, or are ``values`` (bound parameters of other
    names, say, for a statement that writes several tables)."""
    stmt = insert(table) if values is None else insert(table).values(values)
    keys = [c.name for c in table.primary_key.columns]
    columns = update if update is not None else [c.name for c in table.columns if c.name not in keys]
    return stmt.on_conflict_do_update(index_elements=keys, set_={c: stmt.excluded[c] for c in columns})
