"""make_engine: driver rewriting and pool options (no connection made)."""
from __future__ import annotations

import pytest

from dunghan.db import make_engine, sqlalchemy_url


@pytest.mark.parametrize("url", [
    "postgresql://u:p@h:5432/d", "postgres://u:p@h:5432/d", "postgresql+psycopg2://u:p@h:5432/d",
    "postgresql+psycopg://u:p@h:5432/d",
])
def test_plain_postgres_urls_are_rewritten_to_psycopg3(url: str) -> None:
    assert sqlalchemy_url(url) == "postgresql+psycopg://u:p@h:5432/d"


def test_engine_uses_psycopg_with_pre_ping_and_a_bounded_pool() -> None:
    engine = make_engine("postgresql://u:p@localhost:1/d")
    try:
        assert engine.dialect.driver == "psycopg"
        assert engine.pool._pre_ping  # type: ignore[attr-defined]
        assert engine.pool.size() == 5  # type: ignore[attr-defined]
    finally:
        engine.dispose()
