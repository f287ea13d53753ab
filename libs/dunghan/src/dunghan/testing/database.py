"""Database helpers of the tests: a migrated database emptied between the cases of a suite."""
from __future__ import annotations

from sqlalchemy import Engine, text

_TABLES = text("SELECT string_agg(quote_ident(tablename), ', ') FROM pg_tables "
               "WHERE schemaname = 'public' AND tablename <> 'alembic_version'")


def truncate_all(engine: Engine) -> None:
    """Every table but Alembic's, emptied, identities restarted: the next case starts from the migrated schema."""
    with engine.begin() as conn:
        names = conn.execute(_TABLES).scalar_one()
        if names:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY"))
