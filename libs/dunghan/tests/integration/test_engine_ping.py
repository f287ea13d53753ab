"""The pre-ping skips its round trip on a quiet connection and still replaces one the server has closed."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from dunghan.db import make_engine
from dunghan.db.engine import quiet_or_ping

pytestmark = pytest.mark.integration


def test_a_connection_closed_by_the_server_is_replaced_at_checkout(make_database):
    engine = make_engine(make_database("ping"), pool_size=1, max_overflow=0)
    pings: list[object] = []
    dialect = engine.dialect
    engine.dialect.do_ping = quiet_or_ping(  # type: ignore[method-assign]
        lambda c: pings.append(c) or type(dialect).do_ping(dialect, c))
    try:
        with engine.connect() as conn:
            first = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        with engine.connect() as conn:  # quiet socket: no round trip, same session
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar() == first
        assert pings == []
        with make_engine(make_database("ping_admin")).connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
            admin.commit()
        with engine.connect() as conn:  # the server said goodbye: pinged, found dead, reconnected
            second = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        assert second != first
        assert len(pings) == 1
    finally:
        engine.dispose()
