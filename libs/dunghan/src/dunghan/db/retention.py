"""Keeps the messaging tables from growing without end: published outbox rows and inbox rows older than the
retention are deleted, a chunk per transaction so that no lock is held long.

An inbox row only has to outlive every redelivery of its message (the broker redelivers within minutes; a
dead-lettered message was never applied, so replaying it later needs no row), and a published outbox row is
kept only for inspection. A worker runs this daily (``MESSAGING_RETENTION_DAYS``; 0 keeps everything).
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import Engine, text

from dunghan.worker import Periodic

log = logging.getLogger(__name__)

_PURGES = {
    "outbox": text("WITH gone AS (DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE published_at < :cut "
                   "ORDER BY id LIMIT :chunk) RETURNING 1) SELECT count(*) FROM gone"),
    "inbox": text("WITH gone AS (DELETE FROM inbox WHERE ctid = ANY(ARRAY(SELECT ctid FROM inbox "
                  "WHERE received_at < :cut LIMIT :chunk)) RETURNING 1) SELECT count(*) FROM gone"),
}  # the count comes back as a row (RETURNING), not as the driver's rowcount


class MessagingRetention:
    """``fn(now)`` for ``dunghan.worker.Periodic``; returns how many rows it deleted."""

    def __init__(self, engine: Engine, keep_days: float, *, chunk: int = 5000,
                 tables: tuple[str, ...] = ("outbox", "inbox")) -> None:
        self.engine = engine
        self.keep = timedelta(days=keep_days)
        self.chunk = chunk
        self.tables = tables

    def __call__(self, now: datetime) -> int:
        if self.keep <= timedelta(0):
            return 0
        cut, total = now - self.keep, 0
        for table in self.tables:
            while True:
                with self.engine.begin() as conn:
                    deleted = conn.execute(_PURGES[table], {"cut": cut, "chunk": self.chunk}).scalar_one()
                total += deleted
                if deleted < self.chunk:
                    break
        if total:
            log.info("messaging retention: %d row(s) older than %s deleted", total, cut.isoformat())
        return total


def retention_job(engine: Engine, keep_days: float, tables: tuple[str, ...] = ("outbox", "inbox")) -> Periodic:
    """The worker component: ``MessagingRetention`` at start and then daily."""
    return Periodic("messaging-retention", MessagingRetention(engine, keep_days, tables=tables), 24 * 3600.0)
