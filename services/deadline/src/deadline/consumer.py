"""Queue → handler: decode the CloudEvent, apply it, map the outcome to the broker action."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from deadline import domain
from deadline.handlers import Deps, handle_event
from deadline.ports import Repository
from deadline.repository import SqlRepository
from dunghan.bus.errors import Duplicate, Reject
from dunghan.calendar import CalendarRangeError
from dunghan.clock import utc_now
from dunghan.contract import CloudEvent, Event, decode
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
    (``reading_ahead``), and apply them in runs that hold no dossier twice, the writes of each run going out
    together before the next reads again what they changed. Any error rolls the batch back and the consumer
    handles its messages one by one with ``make_handler``'s handler."""
    def handle_many(deliveries: list[Any]) -> list[str]:
        now = clock()
        decoded = [(ce, ce.event()) for ce in (decode(d.body, d.routing_key) for d in deliveries)]
        outcomes: list[str] = []
        runs = _runs(decoded)
        with repo.uow as tx, tx.reading_ahead([k for r in runs for k in r.keys],
                                              {c: a for r in runs for c, a in r.dossiers.items()}, now):
            for run in runs:
                tx.read_again(list(run.dossiers))
                outcomes += ["duplicate" if handle_event(ce, repo, deps, now, e) == "duplicate" else "ok"
                             for ce, e in run.messages]
        return outcomes

    return handle_many


@dataclass
class _Run:
    messages: list[tuple[CloudEvent, Event]] = field(default_factory=list)
    keys: list[tuple[str, str]] = field(default_factory=list)
    dossiers: dict[str, str] = field(default_factory=dict)


def _runs(decoded: list[tuple[CloudEvent, Event]]) -> list[_Run]:
    """Consecutive messages, a new run at each dossier the current one holds already."""
    runs = [_Run()]
    for ce, e in decoded:
        code = e.code if domain.clock_event_for(e, ce.id) is not None else None  # type: ignore[attr-defined]
        key = (ce.source, ce.id) if code is not None or isinstance(e, ProcedureUpdated) else None
        run = runs[-1]
        if code is not None and code in run.dossiers:
            run = _Run()
            runs.append(run)
        run.messages.append((ce, e))
        if key is not None:
            run.keys.append(key)
        if code is not None:
            run.dossiers[code] = e.agency  # type: ignore[attr-defined]
    return runs
