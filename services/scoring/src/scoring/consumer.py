"""Queue → contract → handler: maps outcomes to the broker actions of dunghan.bus.errors."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from dunghan.bus.errors import Duplicate, Reject
from dunghan.clock import utc_now
from dunghan.contract.envelope import ContractError, decode
from dunghan.logging import log_context
from scoring import event_handlers, lookups
from scoring.repository.sql import SqlRepository, open_batch_tx

HANDLED = frozenset(cls.TYPE for cls in event_handlers.EVENT_HANDLERS)


def make_handler(repo: lookups.Repository, clock: Callable[[], datetime] = utc_now
                 ) -> Callable[[Any], None]:
    def handle(delivery: Any) -> None:
        try:
            envelope = decode(delivery.body, delivery.routing_key)
            if envelope.type not in HANDLED:
                return  # bound by a wildcard, not scored: not worth validating
            ev = envelope.event()
        except ContractError as exc:
            raise Reject(exc.reason, field=exc.field) from exc
        with log_context(event_id=envelope.id, dossier=envelope.subject):
            if not event_handlers.handle_event(repo, envelope, ev, clock()):
                raise Duplicate(envelope.id)

    return handle


def make_batch_handler(repo: SqlRepository, clock: Callable[[], datetime] = utc_now
                       ) -> Callable[[list[Any]], list[str]]:
    """A consumer batch at once: the inbox rows of all its scored events in one statement, then each event in
    order. A message that does not decode rolls the batch back; the consumer then handles it alone (and rejects
    it)."""
    def handle_many(deliveries: list[Any]) -> list[str]:
        now = clock()
        events = (decode(d.body, d.routing_key) for d in deliveries)
        decoded = [(envelope, envelope.event() if envelope.type in HANDLED else None) for envelope in events]
        tx = open_batch_tx(repo)
        assert tx is not None, "a batch handler runs inside the consumer's batch"
        tx.prefetch_inbox([(envelope.source, envelope.id) for envelope, ev in decoded if ev is not None])
        out = []
        for envelope, ev in decoded:
            if ev is None:
                out.append("ok")
                continue
            with log_context(event_id=envelope.id, dossier=envelope.subject):
                out.append("ok" if event_handlers.handle_event(repo, envelope, ev, now) else "duplicate")
        return out

    return handle_many
