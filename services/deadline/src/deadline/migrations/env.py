"""Alembic environment of the deadline service."""
from deadline.tables import metadata
from dunghan.db.migrations import run_migrations

run_migrations(metadata)
