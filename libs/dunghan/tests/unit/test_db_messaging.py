"""Inbox/outbox schema and the SQL that inbox_accept and outbox_add send, recorded by a fake connection."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import MetaData
from sqlalchemy.dialects import postgresql

from dunghan.contract.envelope import CloudEvent, decode
from dunghan.db import inbox_accept, messaging_tables, outbox_add
from dunghan.db.migration_ops import create_messaging_tables_v1, drop_messaging_tables_v1


class FakeResult:
    def __init__(self, inserted: bool) -> None:
        self.inserted = inserted

    def first(self) -> tuple[str] | None:
        return ("row",) if self.inserted else None


class FakeConnection:
    """Records compiled statements; the first insert of a key "inserts", later ones conflict."""

    dialect = postgresql.dialect()

    def __init__(self) -> None:
        self.statements: list[tuple[str, dict[str, Any]]] = []
        self.keys: set[tuple[Any, ...]] = set()
        self.info: dict[str, Any] = {}

    def get_transaction(self) -> None:
        return None

    def execute(self, stmt: Any, params: dict[str, Any] | None = None) -> FakeResult:
        compiled = stmt.compile(dialect=postgresql.dialect(), column_keys=list(params) if params else None)
        bound = {**compiled.params, **(params or {})}
        self.statements.append((str(compiled), bound))
        key = tuple(sorted((k, repr(v)) for k, v in bound.items()))
        new = key not in self.keys
        self.keys.add(key)
        return FakeResult(new)


class FakeOp:
    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:
        return lambda *a, **kw: self.calls.append((name, a, kw))


def event(event_id: str = "e-1") -> CloudEvent:
    return CloudEvent(
        id=event_id, source="/dunghan/intake", type="vn.dunghan.intake.dossier_accepted.v1",
        time=datetime(2025, 3, 3, 2, 0, tzinfo=UTC), subject="H01.1-250303-0001",
        data={"code": "H01.1-250303-0001"},
    )


def test_messaging_tables_adds_inbox_and_outbox_to_the_service_metadata() -> None:
    metadata = MetaData()
    inbox, outbox = messaging_tables(metadata)
    assert set(metadata.tables) == {"inbox", "outbox"}
    assert [c.name for c in inbox.primary_key] == ["source", "event_id"]
    assert {"id", "event_id", "exchange", "routing_key", "body", "headers", "created_at", "published_at",
            "attempts", "last_error"} == set(outbox.c.keys())
    assert outbox.c.published_at.nullable and outbox.c.event_id.unique
    (index,) = outbox.indexes
    assert str(index.dialect_options["postgresql"]["where"]) == "published_at IS NULL"


def test_inbox_accept_inserts_on_conflict_do_nothing_and_reports_a_repeat() -> None:
    conn = FakeConnection()
    assert inbox_accept(conn, "/dunghan/intake", "e-1") is True  # type: ignore[arg-type]
    assert inbox_accept(conn, "/dunghan/intake", "e-1") is False  # type: ignore[arg-type]
    assert inbox_accept(conn, "/dunghan/other", "e-1") is True  # type: ignore[arg-type]
    assert all("ON CONFLICT DO NOTHING" in sql for sql, _ in conn.statements)


def test_outbox_add_stores_the_encoded_event_with_the_routing_key_of_its_type_and_agency() -> None:
    conn = FakeConnection()
    outbox_add(conn, event(), headers={"x-correlation-id": "c-1"})  # type: ignore[arg-type]
    sql, params = conn.statements[0]
    assert sql.startswith("INSERT INTO outbox")
    assert params["event_id"] == "e-1"
    assert params["exchange"] == "dunghan.events"
    assert params["routing_key"] == "intake.dossier_accepted.v1._"  # this event's data carries no agency
    assert decode(params["body"]) == event()
    assert params["headers"] == {"ce-type": "vn.dunghan.intake.dossier_accepted.v1",
                                 "ce-subject": "H01.1-250303-0001", "ce-time": event().time.isoformat(),
                                 "x-correlation-id": "c-1"}
    assert conn.statements[1][0] == "NOTIFY dunghan_outbox"


def test_outbox_add_accepts_an_explicit_exchange_and_routing_key() -> None:
    conn = FakeConnection()
    outbox_add(conn, event(), exchange="dunghan.inbound", routing_key="custom.key")  # type: ignore[arg-type]
    _, params = conn.statements[0]
    assert (params["exchange"], params["routing_key"]) == ("dunghan.inbound", "custom.key")


def test_create_and_drop_messaging_tables_in_a_migration() -> None:
    op = FakeOp()
    create_messaging_tables_v1(op)
    assert [(name, args[0]) for name, args, _ in op.calls] == [
        ("create_table", "inbox"), ("create_table", "outbox"), ("create_index", "ix_outbox_unpublished")]
    op = FakeOp()
    drop_messaging_tables_v1(op)
    assert [name for name, _, _ in op.calls] == ["drop_index", "drop_table", "drop_table"]
