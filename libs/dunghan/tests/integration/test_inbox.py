"""Inbox dedupe on the real PostgreSQL, in the same transaction as the effect."""
from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, func, insert, select

from dunghan.db import inbox_accept, make_engine, messaging_tables

pytestmark = pytest.mark.integration

metadata = MetaData()
inbox, _ = messaging_tables(metadata)
effects = Table("effects", metadata, Column("id", Integer, primary_key=True), Column("note", String(50)))


@pytest.fixture(scope="module")
def engine(make_database: Callable[[str], str]) -> Iterator[Engine]:
    engine = make_engine(make_database("inbox"))
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def handle(engine: Engine, source: str, event_id: str, note: str) -> bool:
    with engine.begin() as conn:
        if not inbox_accept(conn, source, event_id):
            return False
        conn.execute(insert(effects).values(note=note))
        return True


def count(engine: Engine, table: Table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_a_redelivered_event_is_seen_before_and_its_effect_applied_once(engine: Engine) -> None:
    assert handle(engine, "/dunghan/intake", "dup-1", "first") is True
    assert handle(engine, "/dunghan/intake", "dup-1", "again") is False
    with engine.connect() as conn:
        notes = conn.execute(select(effects.c.note).where(effects.c.note.in_(["first", "again"]))).scalars().all()
    assert notes == ["first"]


def test_the_same_event_id_from_another_source_is_a_different_event(engine: Engine) -> None:
    assert handle(engine, "/dunghan/intake", "shared-id", "a") is True
    assert handle(engine, "/dunghan/deadline", "shared-id", "b") is True


def test_rolling_back_the_effect_rolls_back_the_inbox_row(engine: Engine) -> None:
    before = count(engine, inbox)
    with pytest.raises(RuntimeError), engine.begin() as conn:
        assert inbox_accept(conn, "/dunghan/intake", "rolled-back") is True
        conn.execute(insert(effects).values(note="lost"))
        raise RuntimeError("effect failed")
    assert count(engine, inbox) == before
    assert handle(engine, "/dunghan/intake", "rolled-back", "retried") is True
