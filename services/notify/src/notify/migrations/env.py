"""Alembic environment of the notify service."""
from dunghan.db.migrations import run_migrations
from notify.tables import metadata

run_migrations(metadata)
