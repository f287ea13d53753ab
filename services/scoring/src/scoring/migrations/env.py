"""Alembic environment of the scoring database."""
from dunghan.db.migrations import run_migrations
from scoring.repository.tables import metadata

run_migrations(metadata)
