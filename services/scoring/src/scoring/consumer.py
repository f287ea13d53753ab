"""Queue → contract → handler: maps outcomes to the broker actions of dunghan.bus.errors."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from dunghan.bus.errors import Duplicate, Reject
from dunghan.contract.envelope import ContractError, decode
from dunghan.logging import log_context
from scoring import handlers

HANDLED = frozenset(cls.TYPE for cls in handlers.EVENT_HANDLERS)


def make_handler(repo: handlers.Repository, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
                 ) -> Callable[[Any], None]:
    def handle(delivery: Any) -> None:
        try:
            ce = decode(delivery.body)
            if ce.type not in HANDLED:
                return  # bound by a wildcard, not scored: not worth validating
            ev = ce.event()
        except ContractError as exc:
            raise Reject(exc.reason, field=exc.field) from exc
        with log_context(event_id=ce.id, dossier=ce.subject):
            if not handlers.handle_event(repo, ce, ev, clock()):
                raise Duplicate(ce.id)

    return handle
