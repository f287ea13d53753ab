"""The SQL unit of work: one connection and one transaction per outermost ``with``, shared by what runs inside.

A service subclasses ``SqlUnitOfWork`` and binds its statement classes to the connection in ``bind``; handlers
get the bound ports from ``with uow as tx``. ``lock`` takes transaction-level advisory locks, in sorted order,
as a statement of their own. A consumer batch enters the same object once around all its messages (one commit);
see ``dunghan.uow`` for the rules.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from sqlalchemy import Connection, Engine, text

from dunghan.uow import AbstractUnitOfWork

T = TypeVar("T")

_LOCK_KEYS = text("SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0))) "
                  "FROM (SELECT unnest(CAST(:keys AS text[])) AS k ORDER BY 1) AS ordered")


def lock_keys(conn: Connection, keys: Iterable[str]) -> None:
    """Transaction-level advisory locks on ``keys``, taken in sorted order (two transactions locking
    overlapping sets cannot deadlock): whoever locks second waits, then reads what the first committed."""
    ordered = sorted(set(keys))
    if ordered:
        conn.execute(_LOCK_KEYS, {"keys": ordered})


class SqlUnitOfWork(AbstractUnitOfWork[T]):
    """``bind(conn)`` (the service's) gives the ports bound to the open transaction's connection."""

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine

    def bind(self, conn: Connection) -> T:
        raise NotImplementedError

    @property
    def connection(self) -> Connection:
        """The open transaction's connection (inside ``with``)."""
        conn: Connection | None = getattr(self._local, "conn", None)
        assert conn is not None, "no unit of work open in this thread"
        return conn

    def _begin(self) -> T:
        conn = self.engine.connect()
        try:
            conn.begin()
            self._local.conn = conn
            return self.bind(conn)
        except BaseException:
            self._local.conn = None
            conn.close()
            raise

    def _commit(self) -> None:
        self.connection.commit()
        if self._open() is None:
            self._close()

    def _rollback(self) -> None:
        try:
            self.connection.rollback()
        finally:
            self._close()

    def _close(self) -> None:
        conn, self._local.conn = self._local.conn, None
        conn.close()

    def _lock(self, keys: list[str]) -> None:
        lock_keys(self.connection, keys)


class ConnectionUnitOfWork(SqlUnitOfWork[Connection]):
    """A unit of work whose ports are the bare connection (the library's tests, small statement sets)."""

    def bind(self, conn: Connection) -> Connection:
        return conn
