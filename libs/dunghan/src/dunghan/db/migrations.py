"""Alembic at start-up: ``upgrade(url, script_location)`` to head under a PostgreSQL advisory lock.

Web and worker of a service may start together: the transaction-level advisory lock makes the second one wait
for the first to commit, then find the schema at head and do nothing. A service's ``migrations/env.py`` is just::

    from dunghan.db.migrations import run_migrations
    from intake.repository import metadata

    run_migrations(metadata)

``run_migrations`` uses the connection ``upgrade`` passes in ``config.attributes["connection"]``, or else (the
``alembic`` command line) ``sqlalchemy.url`` from the Alembic config, and supports offline (``--sql``) mode.
"""
from __future__ import annotations

import zlib
from typing import Any

from sqlalchemy import Connection, Engine, MetaData, create_engine, pool, text

from dunghan.db.engine import sqlalchemy_url

LOCK_KEY = zlib.crc32(b"dunghan.migrations")


def upgrade(url: str, script_location: str, revision: str = "head") -> None:
    from alembic import command
    from alembic.config import Config

    engine = _one_shot_engine(url)
    try:
        with engine.begin() as conn:
            lock(conn)
            config = Config()
            config.set_main_option("script_location", script_location)
            config.set_main_option("sqlalchemy.url", sqlalchemy_url(url).replace("%", "%%"))
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def _one_shot_engine(url: str) -> Engine:
    return create_engine(sqlalchemy_url(url), poolclass=pool.NullPool)


def lock(conn: Connection) -> None:
    """Hold the migrations lock until ``conn``'s transaction ends."""
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})


def run_migrations(target_metadata: MetaData | None, **configure: Any) -> None:
    """The body of a service's ``migrations/env.py``."""
    from alembic import context

    config = context.config
    if context.is_offline_mode():
        context.configure(
            url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata, literal_binds=True,
            **configure,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    conn = config.attributes.get("connection")
    if conn is not None:
        _run_online(conn, target_metadata, configure)
        return
    engine = _one_shot_engine(str(config.get_main_option("sqlalchemy.url")))
    try:
        with engine.begin() as conn:
            lock(conn)
            _run_online(conn, target_metadata, configure)
    finally:
        engine.dispose()


def _run_online(conn: Connection, target_metadata: MetaData | None, configure: dict[str, Any]) -> None:
    from alembic import context

    context.configure(connection=conn, target_metadata=target_metadata, **configure)
    with context.begin_transaction():
        context.run_migrations()
