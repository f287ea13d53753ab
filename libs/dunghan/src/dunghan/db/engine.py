"""SQLAlchemy engine factory: psycopg 3 driver, pre-ping, a small bounded pool."""
from __future__ import annotations

import select
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, create_engine

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
