"""Each service's migrations, run on an empty PostgreSQL database, give exactly the schema its ``tables.py``
declares (Alembic's ``compare_metadata``, as ``alembic check`` does): a table changed without a new revision
fails the build. The first revisions are frozen lists of operations, so history never moves under them."""
from __future__ import annotations

from importlib import resources

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, create_engine, inspect

from dunghan.db import upgrade

pytestmark = pytest.mark.integration


def _metadata(service: str) -> MetaData:
    if service == "scoring":
        from scoring.repository.tables import metadata
    else:
        metadata = __import__(f"{service}.tables", fromlist=["metadata"]).metadata
    return metadata


def _migrations(service: str) -> str:
    return str(resources.files(service) / "migrations")


SERVICES = ("intake", "deadline", "scoring", "notify")


def _differences(url: str, metadata: MetaData) -> list[object]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                             "compare_server_default": True})
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


@pytest.mark.parametrize("service", SERVICES)
def test_migrating_an_empty_database_to_head_gives_the_declared_schema(service, make_database):
    url = make_database(f"migrate_{service}")
    upgrade(url, _migrations(service))
    assert _differences(url, _metadata(service)) == []


@pytest.mark.parametrize("service", SERVICES)
def test_the_migrations_go_down_to_an_empty_database_and_up_again(service, make_database):
    url = make_database(f"downgrade_{service}")
    upgrade(url, _migrations(service))
    config = Config()
    config.set_main_option("script_location", _migrations(service))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.downgrade(config, "base")
    engine = create_engine(url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    upgrade(url, _migrations(service))
    assert _differences(url, _metadata(service)) == []


def test_a_table_changed_without_a_revision_is_caught(make_database):
    """The check itself: today's notify schema against metadata with one more column."""
    from sqlalchemy import Column, Integer

    url = make_database("migrate_drift")
    upgrade(url, _migrations("notify"))
    drifted = MetaData()
    for table in _metadata("notify").tables.values():
        table.to_metadata(drifted)
    drifted.tables["digests"].append_column(Column("extra", Integer))
    assert [d[0] for d in _differences(url, drifted)] == ["add_column"]
