"""Outbox relay: publishes committed outbox rows with confirms, then marks them published in the same transaction.

At-least-once: rows are locked (``FOR UPDATE SKIP LOCKED``, so several relays share the table), published, and
only then marked; a crash between the broker's confirm and the commit re-publishes the batch, never loses it.
Consumers dedupe by event id (the inbox). A failed publish leaves the rows unpublished with ``attempts`` and
``last_error`` updated; they are retried on a later pass. An unroutable row (no queue bound) is isolated so it
does not hold up the rows behind it.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import Engine, func, select, update

from dunghan.bus.errors import Unroutable
from dunghan.bus.publisher import OutgoingMessage
from dunghan.contract.envelope import CONTENT_TYPE
from dunghan.db.listener import OutboxListener
from dunghan.db.messaging import OUTBOX_CHANNEL
from dunghan.db.messaging import outbox_table as outbox
from dunghan.metrics import OUTBOX_BACKLOG, OUTBOX_OLDEST_AGE

log = logging.getLogger(__name__)
MAX_ERROR_CHARS = 1000


class OutboxPublisher(Protocol):
    """What the relay needs of ``dunghan.bus.publisher.Publisher``."""

    def publish_many(self, messages: Sequence[OutgoingMessage]) -> None: ...


class OutboxRelay:
    """Moves committed outbox rows to the broker; also the worker component ``outbox-relay``."""

    name = "outbox-relay"

    def __init__(
        self, engine: Engine, publisher: OutboxPublisher, service: str, batch: int = 100,
        interval: float = 0.5, max_backoff: float = 30.0, linger: float = 0.05, gauge_interval: float = 1.0,
    ) -> None:
        """``linger``: after a notification, wait this long for more commits so that a pass publishes them
        together (one transaction and one confirm round trip for many rows instead of one each)."""
        self.engine = engine
        self.publisher = publisher
        self.service = service
        self.batch = batch
        self.interval = interval
        self.max_backoff = max_backoff
        self.linger = linger
        self.gauge_interval = gauge_interval
        self.failed_last_pass = 0
        self._gauges_at = float("-inf")
        self._stop = threading.Event()
        self._listener = OutboxListener(engine, OUTBOX_CHANNEL)

    def run_once(self) -> int:
        """One pass over at most ``batch`` rows; returns how many were published."""
        with self.engine.begin() as conn:
            rows = conn.execute(
                select(outbox.c.id, outbox.c.event_id, outbox.c.exchange, outbox.c.routing_key,
                       outbox.c.body, outbox.c.headers)
                .where(outbox.c.published_at.is_(None))
                .order_by(outbox.c.id).limit(self.batch)
                .with_for_update(skip_locked=True)
            ).all()
            published, failed = self._publish(rows) if rows else ([], {})
            if published:
                conn.execute(
                    update(outbox).where(outbox.c.id.in_(published))
                    .values(published_at=func.now(), attempts=outbox.c.attempts + 1, last_error=None)
                )
            for row_id, error in failed.items():
                conn.execute(
                    update(outbox).where(outbox.c.id == row_id)
                    .values(attempts=outbox.c.attempts + 1, last_error=error)
                )
        self.failed_last_pass = len(failed)
        if failed:
            first = next(iter(failed.values()))
            log.warning("outbox: %d row(s) not published, will retry: %s", len(failed), first)
        if time.monotonic() - self._gauges_at >= self.gauge_interval or not rows:
            self.update_gauges()
        return len(published)

    def _publish(self, rows: Sequence[Any]) -> tuple[list[int], dict[int, str]]:
        """All rows in one confirmed batch; if any is unroutable, again row by row (the routable ones are sent
        twice, which consumers dedupe) so that it holds up no other."""
        messages = [_message(row) for row in rows]
        try:
            self.publisher.publish_many(messages)
            return [row.id for row in rows], {}
        except Unroutable:
            pass
        except Exception as exc:
            return [], {row.id: _error(exc) for row in rows}
        published: list[int] = []
        failed: dict[int, str] = {}
        for row, message in zip(rows, messages, strict=True):
            try:
                self.publisher.publish_many([message])
            except Exception as exc:
                failed[row.id] = _error(exc)
                if not isinstance(exc, Unroutable):
                    break
            else:
                published.append(row.id)
        return published, failed

    def update_gauges(self) -> None:
        self._gauges_at = time.monotonic()
        with self.engine.connect() as c:
            backlog, age = c.execute(
                select(func.count(), func.coalesce(
                    func.extract("epoch", func.now() - func.min(outbox.c.created_at)), 0))
                .where(outbox.c.published_at.is_(None))
            ).one()
        OUTBOX_BACKLOG.labels(service=self.service).set(backlog)
        OUTBOX_OLDEST_AGE.labels(service=self.service).set(float(age))

    def run(self, stop: threading.Event | None = None, interval: float | None = None) -> None:
        """Loop until ``stop`` (or ``self.stop()``): drain, then wait ``interval``; back off after failures."""
        wait_for = interval if interval is not None else self.interval
        backoff = wait_for
        while not self._stopping(stop):
            try:
                while self.run_once() >= self.batch and not self._stopping(stop):
                    pass
                failed = self.failed_last_pass > 0
            except Exception as exc:
                log.warning("outbox relay pass failed: %s", exc)
                failed = True
            backoff = min(max(backoff * 2, wait_for), self.max_backoff) if failed else wait_for
            self._wait(stop, backoff)

    def _wait(self, stop: threading.Event | None, seconds: float) -> None:
        """Until new rows are committed (notification, then ``linger``), the poll interval ends, or a stop."""
        halt = stop or self._stop
        deadline = time.monotonic() + seconds
        while not self._stopping(stop) and (left := deadline - time.monotonic()) > 0:
            if self._listener.wait(min(left, 0.1), halt):
                if self.linger > 0:
                    halt.wait(self.linger)
                return

    def _stopping(self, stop: threading.Event | None) -> bool:
        return self._stop.is_set() or (stop is not None and stop.is_set())

    def stop(self) -> None:
        self._stop.set()
        self._listener.close()



def _message(row: Any) -> OutgoingMessage:
    return OutgoingMessage(row.exchange, row.routing_key, bytes(row.body), row.event_id,
                           headers=dict(row.headers or {}) or None, content_type=CONTENT_TYPE)


def _error(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS]
