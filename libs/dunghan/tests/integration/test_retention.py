"""Retention of the messaging tables on the real PostgreSQL: old published outbox rows and old inbox rows go."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, MetaData, func, insert, select, text

from dunghan.db import MessagingRetention, make_engine, messaging_tables

pytestmark = pytest.mark.integration

metadata = MetaData()
inbox, outbox = messaging_tables(metadata)
NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)


@pytest.fixture
def engine(make_database: Callable[[str], str]) -> Iterator[Engine]:
    engine = make_engine(make_database("retention"))
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def seed(engine: Engine) -> None:
    old, recent = NOW - timedelta(days=40), NOW - timedelta(days=2)
    with engine.begin() as conn:
        for i, (created, published) in enumerate([(old, old), (old, None), (recent, recent), (old, old)]):
            conn.execute(insert(outbox).values(event_id=f"o-{i}", exchange="x", routing_key="k", body=b"{}",
                                               created_at=created, published_at=published))
        for i, at in enumerate([old, old, recent]):
            conn.execute(insert(inbox).values(source="/s", event_id=f"i-{i}", received_at=at))


def ids(engine: Engine, table: str) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.execute(text(f"SELECT event_id FROM {table}")).scalars())


def test_published_outbox_rows_and_inbox_rows_older_than_the_retention_are_deleted_in_chunks(engine) -> None:
    seed(engine)
    assert MessagingRetention(engine, 30, chunk=1)(NOW) == 4
    assert ids(engine, "outbox") == ["o-1", "o-2"]  # the unpublished one stays, however old
    assert ids(engine, "inbox") == ["i-2"]


def test_zero_days_keeps_everything_and_notify_purges_only_its_inbox(engine) -> None:
    seed(engine)
    assert MessagingRetention(engine, 0)(NOW) == 0
    assert MessagingRetention(engine, 30, tables=("inbox",))(NOW) == 2
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(outbox)).scalar_one() == 4
