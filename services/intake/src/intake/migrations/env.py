"""Alembic environment of the intake service."""
from dunghan.db.migrations import run_migrations
from intake.tables import metadata

run_migrations(metadata)
