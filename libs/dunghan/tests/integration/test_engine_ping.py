"""The pre-ping skips its round trip on a quiet connection and still replaces one the server has closed; a
connection the server dropped unnoticed is replaced at its transaction's first statement."""
from __future__ import annotations

import select
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from dunghan.db import make_engine
from dunghan.db.engine import quiet_or_ping

pytestmark = pytest.mark.integration


@pytest.fixture()
def admin(make_database) -> Iterator[Engine]:
    engine = make_engine(make_database("ping_admin"))
    yield engine
    engine.dispose()


def _terminate(admin: Engine, pid: int, socket_of: object = None) -> None:
    """Ends the backend and waits until the server has really let it go (``pg_terminate_backend`` only signals
    it), and, given the client's connection, until its socket has the server's farewell to read."""
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        conn.commit()
        deadline = time.monotonic() + 30
        while conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}).scalar():
            conn.commit()
            assert time.monotonic() < deadline, "the terminated backend did not go"
            time.sleep(0.02)
        conn.commit()
    if socket_of is not None:
        readable, _, _ = select.select([socket_of.fileno()], [], [], 30)  # type: ignore[attr-defined]
        assert readable, "the server's close never reached the client"


def _pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_connection_closed_by_the_server_is_replaced_at_checkout(make_database, admin):
    engine = make_engine(make_database("ping"), pool_size=1, max_overflow=0)
    pings: list[object] = []
    dialect = engine.dialect
    engine.dialect.do_ping = quiet_or_ping(  # type: ignore[method-assign]
        lambda c: pings.append(c) or type(dialect).do_ping(dialect, c))
    try:
        with engine.connect() as conn:
            first = int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
            dbapi = conn.connection.dbapi_connection
        assert _pid(engine) == first  # quiet socket: no round trip, same session
        assert pings == []
        _terminate(admin, first, dbapi)
        second = _pid(engine)  # the server said goodbye: pinged, found dead, reconnected
        assert second != first
        assert len(pings) == 1
    finally:
        engine.dispose()


def test_a_dropped_connection_that_passed_checkout_is_replaced_at_its_first_statement(make_database, admin):
    """The window the quiet pre-ping cannot see (the server closing the session as it is checked out), made
    deterministic by a pre-ping that always answers alive."""
    engine = make_engine(make_database("ping_window"), pool_size=1, max_overflow=0)
    engine.dialect.do_ping = lambda c: True  # type: ignore[method-assign,assignment,misc]
    try:
        first = _pid(engine)
        _terminate(admin, first)
        with engine.begin() as conn:
            second = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
            conn.execute(text("CREATE TABLE t (n int)"))
            conn.execute(text("INSERT INTO t VALUES (1)"))
        assert second != first
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM t")).scalar_one() == 1
    finally:
        engine.dispose()


def test_a_connection_dropped_inside_a_transaction_is_not_retried(make_database, admin):
    engine = make_engine(make_database("ping_midway"), pool_size=1, max_overflow=0)
    try:
        with pytest.raises(Exception) as caught, engine.begin() as conn:
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
            _terminate(admin, pid)
            conn.execute(text("SELECT 1"))
        assert "OperationalError" in type(caught.value).__name__
        assert _pid(engine) != pid  # the pool replaced it for the next use
    finally:
        engine.dispose()
