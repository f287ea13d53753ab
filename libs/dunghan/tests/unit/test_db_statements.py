"""The shared upsert statement, compiled for PostgreSQL."""
from sqlalchemy import Column, Integer, MetaData, String, Table
from sqlalchemy.dialects import postgresql

from dunghan.db import upsert_statement

t = Table("t", MetaData(), Column("a", String, primary_key=True), Column("b", String, primary_key=True),
          Column("x", Integer), Column("y", String))


def sql(stmt: object) -> str:
    return str(stmt.compile(dialect=postgresql.dialect(), column_keys=["a", "b", "x", "y"]))  # type: ignore[attr-defined]


def test_by_default_every_column_but_the_key_takes_the_inserted_value() -> None:
    text = sql(upsert_statement(t))
    assert "ON CONFLICT (a, b) DO UPDATE SET x = excluded.x, y = excluded.y" in text


def test_only_the_named_columns_when_given() -> None:
    assert sql(upsert_statement(t, ["y"])).endswith("ON CONFLICT (a, b) DO UPDATE SET y = excluded.y")
