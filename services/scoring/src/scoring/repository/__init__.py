"""Storage port (the transaction object's methods) and its SQL adapter."""
from scoring.repository.sql import AlreadyExists, SqlRepository, SqlTx
from scoring.repository.tables import metadata

__all__ = ["AlreadyExists", "SqlRepository", "SqlTx", "metadata"]
