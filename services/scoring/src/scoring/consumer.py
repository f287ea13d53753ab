"""Queue → contract → handler: maps outcomes to the broker actions of dunghan.bus.errors."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from dunghan.bus.errors import Duplicate, Reject
from dunghan.clock import utc_now
from dunghan.contract.envelope import ContractError, decode
from dunghan.logging import log_context
from scoring import event_handlers
from scoring.ports import Repository

HANDLED = frozenset(cls.TYPE for cls in event_handlers.EVENT_HANDLERS)


def make_handler(repo: Repository, clock: Callable[[], datetime] = utc_now
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


def make_batch_handler(repo: Repository, clock: Callable[[], datetime] = utc_now
                       ) -> Callable[[list[Any]], list[str]]:
    """A consumer batch at once: the inbox rows of all its scored events in one statement, each event then applied
    in order with its answer (an event twice in the batch: the second asks the database again). A message that
    does not decode rolls the batch back; the consumer then handles it alone (and rejects it)."""
    def handle_many(deliveries: list[Any]) -> list[str]:
        now = clock()
        events = (decode(d.body, d.routing_key) for d in deliveries)
        decoded = [(envelope, envelope.event() if envelope.type in HANDLED else None) for envelope in events]
        out = []
        with repo.uow as tx:
            new = tx.inbox_accept_many([(e.source, e.id) for e, ev in decoded if ev is not None])
            answered: set[tuple[str, str]] = set()
            for envelope, ev in decoded:
                if ev is None:
                    out.append("ok")
                    continue
                key = (envelope.source, envelope.id)
                answer = None if key in answered else key in new
                answered.add(key)
                with log_context(event_id=envelope.id, dossier=envelope.subject):
                    out.append("ok" if event_handlers.handle_event(repo, envelope, ev, now, new=answer)
                               else "duplicate")
        return out

    return handle_many
