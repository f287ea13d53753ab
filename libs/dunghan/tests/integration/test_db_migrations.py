"""upgrade(): Alembic to head under an advisory lock; idempotent and safe when web and worker start together."""
from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, inspect, text

from dunghan.db import make_engine, messaging_tables, upgrade

pytestmark = pytest.mark.integration

ENV = """
from sqlalchemy import MetaData
from dunghan.db import messaging_tables
from dunghan.db.migrations import run_migrations

metadata = MetaData()
messaging_tables(metadata)
run_migrations(metadata)
"""

FIRST = """
import sqlalchemy as sa
from alembic import op
from dunghan.db.migration_ops import create_messaging_tables_v1, drop_messaging_tables_v1

revision = "0001"
down_revision = None


def upgrade():
    op.execute("SELECT pg_sleep(0.3)")
    create_messaging_tables_v1(op)


def downgrade():
    drop_messaging_tables_v1(op)
"""


@pytest.fixture
def script_location(tmp_path: Path) -> str:
    (tmp_path / "versions").mkdir()
    (tmp_path / "env.py").write_text(textwrap.dedent(ENV))
    (tmp_path / "versions" / "0001_messaging.py").write_text(textwrap.dedent(FIRST))
    return str(tmp_path)


def test_concurrent_upgrades_both_succeed_and_migrate_once(
    make_database: Callable[[str], str], script_location: str,
) -> None:
    url = make_database("migrate").replace("postgresql+psycopg://", "postgresql://")
    errors: list[BaseException] = []

    def run() -> None:
        try:
            upgrade(url, script_location)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    upgrade(url, script_location)

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == ["0001"]
            assert {"inbox", "outbox", "alembic_version"} <= set(inspect(conn).get_table_names())
            metadata = MetaData()
            messaging_tables(metadata)
            assert compare_metadata(MigrationContext.configure(conn), metadata) == []
            indexes = {ix["name"]: ix for ix in inspect(conn).get_indexes("outbox")}
            assert "published_at IS NULL" in str(indexes["ix_outbox_unpublished"]["dialect_options"])
    finally:
        engine.dispose()


def test_concurrent_upgrades_from_two_processes_migrate_once(
    make_database: Callable[[str], str], script_location: str,
) -> None:
    url = make_database("migrate_proc")
    code = "import sys; from dunghan.db import upgrade; upgrade(sys.argv[1], sys.argv[2])"
    procs = [subprocess.Popen([sys.executable, "-c", code, url, script_location], stderr=subprocess.PIPE)
             for _ in range(2)]
    results = [(p.wait(60), p.stderr.read().decode() if p.stderr else "") for p in procs]
    assert [rc for rc, _ in results] == [0, 0], results
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == ["0001"]
    finally:
        engine.dispose()
