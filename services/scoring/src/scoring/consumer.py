"""Queue → contract → handler: maps outcomes to the broker actions of dunghan.bus.errors."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from dunghan.bus.errors import Duplicate, Reject
from dunghan.clock import utc_now
from dunghan.contract.envelope import ContractError, decode
from dunghan.logging import log_context
from scoring import handlers

HANDLED = frozenset(cls.TYPE for cls in handlers.EVENT_HANDLERS)


def make_handler(repo: handlers.Repository, clock: Callable[[], datetime] = utc_now
                 ) -> Callable[[Any], None]:
    def handle(delivery: Any) -> None:
        try:
            ce = decode(delivery.body, delivery.routing_key)
            if ce.type not in HANDLED:
                return  # bound by a wildcard, not scored: not worth validating
            ev = ce.event()
        except ContractError as exc:
            raise Reject(exc.reason, field=exc.field) from exc
        with log_context(event_id=ce.id, dossier=ce.subject):
            if not handlers.handle_event(repo, ce, ev, clock()):
                raise Duplicate(ce.id)

    return handle


def make_batch_handler(repo: handlers.Repository, clock: Callable[[], datetime] = utc_now
                       ) -> Callable[[list[Any]], list[str]]:
    """A consumer batch at once: the inbox rows of all its scored events in one statement, each event then applied
    in order with its answer (an event twice in the batch: the second asks the database again). A message that
    does not decode rolls the batch back; the consumer then handles it alone (and rejects it)."""
    def handle_many(deliveries: list[Any]) -> list[str]:
        now = clock()
        events = (decode(d.body, d.routing_key) for d in deliveries)
        decoded = [(ce, ce.event() if ce.type in HANDLED else None) for ce in events]
        out = []
        with repo.uow as tx:
            new = tx.inbox_accept_many([(ce.source, ce.id) for ce, ev in decoded if ev is not None])
            answered: set[tuple[str, str]] = set()
            for ce, ev in decoded:
                if ev is None:
                    out.append("ok")
                    continue
                key = (ce.source, ce.id)
                answer = None if key in answered else key in new
                answered.add(key)
                with log_context(event_id=ce.id, dossier=ce.subject):
                    out.append("ok" if handlers.handle_event(repo, ce, ev, now, new=answer) else "duplicate")
        return out

    return handle_many
