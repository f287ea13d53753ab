"""The SQL adapter of the storage port (``scoring.ports``)."""
from scoring.repository.sql import AlreadyExists, ScoringUow, SqlRepository, SqlTx
from scoring.repository.tables import metadata

__all__ = ["AlreadyExists", "ScoringUow", "SqlRepository", "SqlTx", "metadata"]
