"""Queue → handler: decode the CloudEvent, apply it, map the outcome to the broker action."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from deadline import domain
from deadline.batch_tx import open_batch_tx
from deadline.handlers import Deps, handle_event
from deadline.repository import Repository, SqlRepository
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
    """A consumer batch at once: decode every message, lock and read every dossier they touch in a few
    statements (``BatchTx``), apply them in order, flush the writes together. Any error rolls the batch back and
    the consumer handles its messages one by one with ``make_handler``'s handler."""
    def handle_many(deliveries: list[Any]) -> list[str]:
        now = clock()
        decoded = [(ce, ce.event()) for ce in (decode(d.body, d.routing_key) for d in deliveries)]
        tx = open_batch_tx(repo)
        assert tx is not None, "a batch handler runs inside the consumer's batch"
        keys: list[tuple[str, str]] = []
        dossiers: dict[str, str] = {}
        for ce, e in decoded:
            if domain.clock_event_for(e, ce.id) is not None:
                keys.append((ce.source, ce.id))
                dossiers.setdefault(e.code, e.agency)  # type: ignore[attr-defined]
            elif isinstance(e, ProcedureUpdated):
                keys.append((ce.source, ce.id))
        tx.prefetch(keys, dossiers, now)
        return ["duplicate" if handle_event(ce, repo, deps, now, e) == "duplicate" else "ok" for ce, e in decoded]

    return handle_many
