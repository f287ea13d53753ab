"""Database helpers of the tests: a migrated database emptied between the cases of a suite."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, text

from dunghan.db import make_engine, upgrade

_TABLES = text("SELECT string_agg(quote_ident(tablename), ', ') FROM pg_tables "
               "WHERE schemaname = 'public' AND tablename <> 'alembic_version'")


def truncate_all(engine: Engine) -> None:
    """Every table but Alembic's, emptied, identities restarted: the next case starts from the migrated schema."""
    with engine.begin() as conn:
        names = conn.execute(_TABLES).scalar_one()
        if names:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY"))


def port_suite(hint: str, migrations: str, fake: Callable[[], Any], sql: Callable[[Engine], Any],
               *, kinds: tuple[str, ...] = ("fake", "postgres")) -> tuple[Any, Any]:
    """The two fixtures of a port's contract suite: ``engine`` (a migrated database of this run, one per module)
    and ``repo``, once the fake and once the SQL adapter over the emptied database; every case runs on both.
    ``kinds`` beyond "fake" name further SQL variants (the case reads ``request.node.callspec.params["repo"]``).
    In the test module: ``engine, repo = port_suite(...)``."""

    @pytest.fixture(scope="module")
    def engine(make_database: Callable[[str], str]) -> Iterator[Engine]:
        url = make_database(hint)
        upgrade(url, migrations)
        made = make_engine(url)
        yield made
        made.dispose()

    @pytest.fixture(params=list(kinds))
    def repo(request: pytest.FixtureRequest) -> Any:
        if request.param == "fake":
            return fake()
        db = request.getfixturevalue("engine")
        truncate_all(db)
        return sql(db)

    return engine, repo
