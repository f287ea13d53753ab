"""What every service's ``bootstrap.py`` shares: which process is starting, and its migrated database engine."""
from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from dunghan.settings import ServiceSettings

if TYPE_CHECKING:
    from sqlalchemy import Engine

Process = Literal["web", "worker", "manage"]


def open_database(settings: ServiceSettings, migrations: str, process: Process) -> Engine:
    """Alembic to head when ``settings.migrate`` (a ``manage migrate`` command sets it), then the engine: a web
    process pings a pooled connection before use, a worker does not (it retries in place), a command needs one."""
    from dunghan.db.engine import make_engine
    from dunghan.db.migrations import upgrade

    if settings.migrate:
        upgrade(settings.database_url, migrations)
    if process == "manage":
        return make_engine(settings.database_url, pool_size=1, max_overflow=0)
    return make_engine(settings.database_url, pre_ping=process == "web")
