"""Consumed events: one handler per event type (``EVENT_HANDLERS``), each applied with its inbox row."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from dunghan.contract.envelope import CloudEvent
from dunghan.contract.events import (
    DossierAccepted,
    DossierClassified,
    DossierRefused,
    DossierSubmitted,
    DossierTransferred,
    DueDateSet,
    Event,
    OfficerUpdated,
    SupplementReceived,
    SupplementRequested,
    UnitUpdated,
)
from scoring.lookups import local_day
from scoring.ports import Facts, Repository

WAITING_REASONS = frozenset({"supplement_requested", "supplement_paused", "paused"})
REPEAT_SUPPLEMENT = "second_supplement_request"


def handle_accepted(tx: Facts, ev: DossierAccepted, envelope: CloudEvent, now: datetime) -> None:
    tx.record_accepted(ev)
    tx.record_move(ev.code, ev.occurred_at, "holder", ev.unit)


def handle_transferred(tx: Facts, ev: DossierTransferred, envelope: CloudEvent, now: datetime) -> None:
    tx.record_move(ev.code, ev.occurred_at, "holder", ev.unit)


def handle_submitted(tx: Facts, ev: DossierSubmitted, envelope: CloudEvent, now: datetime) -> None:
    tx.record_intake(ev.code, "submitted", ev.agency, ev.channel, ev.occurred_at)


def handle_refused(tx: Facts, ev: DossierRefused, envelope: CloudEvent, now: datetime) -> None:
    tx.record_intake(ev.code, "refused", ev.agency, ev.channel, ev.occurred_at, ev.unit)


def handle_due_date_set(tx: Facts, ev: DueDateSet, envelope: CloudEvent, now: datetime) -> None:
    # accepted_at only fills a row this creates (a due date before the acceptance reached scoring)
    tx.record_due(ev, ev.reason in WAITING_REASONS, envelope.time)


def handle_supplement_requested(tx: Facts, ev: SupplementRequested, envelope: CloudEvent, now: datetime) -> None:
    tx.set_waiting(ev.code, True)
    tx.record_move(ev.code, ev.occurred_at, "waiting")


def handle_supplement_received(tx: Facts, ev: SupplementReceived, envelope: CloudEvent, now: datetime) -> None:
    tx.set_waiting(ev.code, False)
    tx.record_move(ev.code, ev.occurred_at, "resumed")


def handle_unit_updated(tx: Facts, ev: UnitUpdated, envelope: CloudEvent, now: datetime) -> None:
    tx.upsert_name("unit", ev.unit, ev.agency, ev.name, ev.unit)


def handle_officer_updated(tx: Facts, ev: OfficerUpdated, envelope: CloudEvent, now: datetime) -> None:
    tx.upsert_name("officer", ev.officer, ev.agency, ev.full_name, ev.unit)


def repeat_supplements(ev: DossierClassified) -> int:
    return max(ev.supplement_requests - 1, 0) or int(REPEAT_SUPPLEMENT in ev.violations)


def handle_classified(tx: Facts, ev: DossierClassified, envelope: CloudEvent, now: datetime) -> None:
    """Store the classification; for a phase already closed, record it as a correction beside the result."""
    previous = tx.record_classified(ev, repeat_supplements(ev), now)
    for campaign_id, phase, state in tx.phases_covering(ev.agency, local_day(ev.stopped_at)):
        if state == "closed":
            tx.add_correction(campaign_id, phase, ev, envelope.id, previous, now)


EVENT_HANDLERS: dict[type[Event], Callable[[Facts, Any, CloudEvent, datetime], None]] = {
    DossierAccepted: handle_accepted,
    DossierTransferred: handle_transferred,
    DossierSubmitted: handle_submitted,
    DossierRefused: handle_refused,
    DueDateSet: handle_due_date_set,
    SupplementRequested: handle_supplement_requested,
    SupplementReceived: handle_supplement_received,
    DossierClassified: handle_classified,
    UnitUpdated: handle_unit_updated,
    OfficerUpdated: handle_officer_updated,
}


def handle_event(repo: Repository, envelope: CloudEvent, ev: Event, now: datetime, *, new: bool | None = None
                 ) -> bool:
    """Apply one event with its inbox row in the same transaction; False if it was seen before or not ours.
    ``new``: the inbox row was inserted already (a consumer batch's, in one statement), and whether it was new."""
    handler = EVENT_HANDLERS.get(type(ev))
    if handler is None:
        return True
    with repo.uow as tx:
        if not (tx.inbox_accept(envelope.source, envelope.id) if new is None else new):
            return False
        handler(tx, ev, envelope, now)
    return True
