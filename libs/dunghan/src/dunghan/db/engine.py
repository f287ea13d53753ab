"""SQLAlchemy engine factory: psycopg 3 driver, pre-ping, a small bounded pool, and a transaction's first
statement run again once on a new connection when the server had dropped the pooled one."""
from __future__ import annotations

import logging
import select
from collections.abc import Callable
from typing import Any

from psycopg.pq import TransactionStatus
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine.interfaces import ExecuteStyle

log = logging.getLogger(__name__)

_PLAIN_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg2://")


def sqlalchemy_url(url: str) -> str:
    """``postgresql://...`` (as libpq and most tools write it) → ``postgresql+psycopg://...``."""
    for plain in _PLAIN_SCHEMES:
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain):]
    return url


def make_engine(url: str, *, pool_size: int = 5, max_overflow: int = 5, pre_ping: bool = True,
                **kwargs: Any) -> Engine:
    """``pre_ping=False`` for workers: their consumers retry a lost connection in place (``is_transient``) and
    their loops retry on the next pass, so the extra round trip per checkout buys nothing there."""
    options: dict[str, Any] = {
        "pool_pre_ping": pre_ping, "pool_size": pool_size, "max_overflow": max_overflow,
        "pool_recycle": 1800, "pool_timeout": 10,
        "hide_parameters": True,  # an error's text never quotes the values (an applicant's name, an ID hash)
    }
    options.update(kwargs)
    engine = create_engine(sqlalchemy_url(url), **options)
    if pre_ping:
        engine.dialect.do_ping = quiet_or_ping(engine.dialect.do_ping)  # type: ignore[method-assign,assignment]
    if engine.dialect.driver == "psycopg":
        retry_first_statement(engine)
    return engine


def quiet_or_ping(ping: Callable[[Any], bool]) -> Callable[[Any], bool]:
    """The pre-ping without its round trip while the connection's socket is quiet. A server that restarted or
    closed the session has left the socket readable (end of stream, or its farewell message): then, and for a
    connection psycopg knows to be broken, the real ping runs and a dead connection is replaced."""
    def do_ping(dbapi_connection: Any) -> bool:
        try:
            if not dbapi_connection.closed and not getattr(dbapi_connection, "broken", False):
                readable, _, _ = select.select([dbapi_connection.fileno()], [], [], 0)
                if not readable:
                    return True
        except (OSError, ValueError, AttributeError):
            pass
        return ping(dbapi_connection)

    return do_ping


def retry_first_statement(engine: Engine) -> None:
    """A server that restarts, or terminates a session, closes the socket a moment after the fact: a connection
    checked out in that moment passes the quiet pre-ping (and any ping can pass just before the server goes).
    Its first statement then fails with a disconnect. Nothing had run in that transaction yet (psycopg sends the
    BEGIN with it), so the statement runs again, once, on a new connection of the same pool slot. A disconnect
    later in a transaction, or in autocommit mode (the statement may have committed), is raised as before."""
    dialect = engine.dialect

    def once_more(run: Callable[..., None]) -> Callable[..., bool]:
        def execute(cursor: Any, statement: str, *rest: Any) -> bool:
            context = rest[-1]
            dbapi = cursor.connection
            # Not for insertmanyvalues batches: SQLAlchemy reads their rows from the cursor it passed in.
            fresh = (context is not None and context.execute_style is not ExecuteStyle.INSERTMANYVALUES
                     and not dbapi.autocommit and dbapi.pgconn.transaction_status == TransactionStatus.IDLE)
            try:
                run(cursor, statement, *rest)
            except dialect.loaded_dbapi.Error as error:
                if not fresh or not dialect.is_disconnect(error, dbapi, cursor):
                    raise
                log.warning("database connection lost before its first statement; running it on a new one")
                context.cursor = _reconnected(context.root_connection.connection, error).cursor()
                run(context.cursor, statement, *rest)
            return True

        return execute

    event.listen(engine, "do_execute", once_more(dialect.do_execute))
    event.listen(engine, "do_execute_no_params", once_more(dialect.do_execute_no_params))
    event.listen(engine, "do_executemany", once_more(dialect.do_executemany))


def _reconnected(fairy: Any, error: BaseException) -> Any:
    """The checked-out pool connection's record closed and connected again (connect events run as usual)."""
    record = fairy._connection_record
    record.invalidate(error)
    fairy.dbapi_connection = record.get_connection()
    return fairy.dbapi_connection
