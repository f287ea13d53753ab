"""Wakes the outbox relay when a transaction that added outbox rows commits (PostgreSQL LISTEN/NOTIFY).

Polling stays the safety net: a lost notification (relay restarting, database restarting) only delays rows
until the next poll. Without PostgreSQL, or while the listening connection is down, ``wait`` just sleeps.
"""
from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import Any

from sqlalchemy import Engine

log = logging.getLogger(__name__)
RECONNECT_SECONDS = 5.0


class OutboxListener:
    def __init__(self, engine: Engine, channel: str) -> None:
        self.engine = engine
        self.channel = channel
        self._conn: Any = None
        self._next_try = 0.0

    def _connect(self) -> Any:
        if self._conn is not None or self.engine.dialect.name != "postgresql":
            return self._conn
        if time.monotonic() < self._next_try:
            return None
        import psycopg

        url = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        try:
            self._conn = psycopg.connect(url, autocommit=True, connect_timeout=5)
            self._conn.execute(f"LISTEN {self.channel}")
        except psycopg.Error as exc:
            log.warning("outbox listener cannot connect (%s); polling only", type(exc).__name__)
            self.close()
            self._next_try = time.monotonic() + RECONNECT_SECONDS
        return self._conn

    def wait(self, seconds: float, stop: threading.Event) -> bool:
        """Until a notification, ``stop`` or ``seconds``; True when woken by a notification."""
        deadline = time.monotonic() + seconds
        while not stop.is_set() and (left := deadline - time.monotonic()) > 0:
            conn = self._connect()
            if conn is None:
                stop.wait(min(left, 0.25))
                continue
            try:
                for _ in conn.notifies(timeout=min(left, 0.25), stop_after=1):
                    return True
            except Exception as exc:
                log.warning("outbox listener lost its connection (%s)", type(exc).__name__)
                self.close()
                self._next_try = time.monotonic() + RECONNECT_SECONDS
        return False

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()
