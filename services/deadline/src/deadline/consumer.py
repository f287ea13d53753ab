"""Queue → handler: decode the CloudEvent, apply it, map the outcome to the broker action."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from deadline import domain
from deadline.handlers import Deps, handle_event, handle_events
from deadline.ports import Repository
from deadline.repository import SqlRepository
from dunghan.bus.errors import Duplicate, Reject
from dunghan.calendar import CalendarRangeError
from dunghan.clock import utc_now
from dunghan.contract import decode
from dunghan.contract.envelope import ContractError
from dunghan.contract.events import ProcedureUpdated


def make_handler(repo: Repository, deps: Deps, clock: Callable[[], datetime] = utc_now) -> Callable[[Any], None]:
    def handle(delivery: Any) -> None:
        try:
            ce = decode(delivery.body, delivery.routing_key)
            outcome = handle_event(ce, repo, deps, clock())
        except ContractError as exc:
            raise Reject(exc.reason, exc.field) from exc
        except CalendarRangeError as exc:  # a date the calendar does not cover: no retry will change that
            raise Reject(str(exc), "calendar") from exc
        if outcome == "duplicate":
            raise Duplicate(f"{ce.source} {ce.id}")

    return handle


def make_batch_handler(repo: SqlRepository, deps: Deps,
                       clock: Callable[[], datetime] = utc_now) -> Callable[[list[Any]], list[str]]:
    """A consumer batch at once: decode every message, read ahead in a few statements what they read
    (``reading_ahead``), and apply them in order (``handle_events``: a dossier's next event starts from what its
    previous one computed). Any error rolls the batch back and the consumer handles its messages one by one with
    ``make_handler``'s handler."""
    def handle_many(deliveries: list[Any]) -> list[str]:
        now = clock()
        decoded = [(ce, ce.event()) for ce in (decode(d.body, d.routing_key) for d in deliveries)]
        keys: list[tuple[str, str]] = []
        dossiers: dict[str, str] = {}
        for ce, e in decoded:
            if domain.clock_event_for(e, ce.id) is not None:
                keys.append((ce.source, ce.id))
                dossiers.setdefault(e.code, e.agency)  # type: ignore[attr-defined]
            elif isinstance(e, ProcedureUpdated):
                keys.append((ce.source, ce.id))
        with repo.uow as tx, tx.reading_ahead(keys, dossiers, now):
            return ["duplicate" if o == "duplicate" else "ok" for o in handle_events(decoded, repo, deps, now)]

    return handle_many
