"""Rows of the deadline tables ↔ domain values (the snapshot of a procedure decoded once per distinct content)."""
from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from deadline.domain import Dossier
from dunghan.contract.events import ProcedureSnapshot, ProcedureUpdated, schema_for
from dunghan.deadline import ClockEvent

_snapshot_schema = schema_for(ProcedureSnapshot)()
_loaded: dict[tuple[Any, Any], tuple[dict[str, Any], ProcedureSnapshot]] = {}


@functools.lru_cache(maxsize=2048)
def _snapshot_dump(p: ProcedureSnapshot) -> dict[str, Any]:
    return _snapshot_schema.dump(p)  # type: ignore[no-any-return]


def snapshot_load(raw: dict[str, Any]) -> ProcedureSnapshot:
    """Every dossier of a procedure version carries the same snapshot: loaded once per distinct content."""
    key = (raw.get("code"), raw.get("version"))
    hit = _loaded.get(key)
    if hit is not None and hit[0] == raw:
        return hit[1]
    snap: ProcedureSnapshot = _snapshot_schema.load(raw)
    if len(_loaded) < 4096:
        _loaded[key] = (raw, snap)
    return snap



def dossier_row(d: Dossier, now: datetime) -> dict[str, Any]:
    return {
        "code": d.code, "agency": d.agency, "unit": d.unit, "officer": d.officer,
        "procedure_code": d.procedure.code if d.procedure else None,
        "procedure_version": d.procedure.version if d.procedure else None,
        "procedure": _snapshot_dump(d.procedure) if d.procedure else None,
        "channel": d.channel, "applicant_name": d.applicant_name, "accepted_at": d.accepted_at,
        "start_at": d.start_at, "due_at": d.due_at, "original_due_at": d.original_due_at, "due_date": d.due_date,
        "due_soon_at": d.due_soon_at, "paused": d.paused, "stopped_at": d.stopped_at, "stop_reason": d.stop_reason,
        "state": d.state, "calendar_version": d.calendar_version, "next_threshold_at": d.next_threshold_at,
        "classification": d.classification, "steps": list(d.steps), "updated_at": now, "history": d.history,
        "appointment_at": d.appointment_at, "appointment_mismatch": d.appointment_mismatch,
    }


def dossier_from_row(r: Any) -> Dossier:
    return Dossier(
        code=r.code, agency=r.agency, procedure=snapshot_load(r.procedure) if r.procedure else None,
        unit=r.unit, officer=r.officer, channel=r.channel, applicant_name=r.applicant_name,
        accepted_at=r.accepted_at, start_at=r.start_at, due_at=r.due_at, original_due_at=r.original_due_at,
        due_date=r.due_date, due_soon_at=r.due_soon_at, paused=r.paused, stopped_at=r.stopped_at,
        stop_reason=r.stop_reason, state=r.state, calendar_version=r.calendar_version,
        next_threshold_at=r.next_threshold_at, classification=r.classification, steps=tuple(r.steps or ()),
        history=r.history, appointment_at=r.appointment_at, appointment_mismatch=r.appointment_mismatch,
    )


def procedure_row(p: ProcedureUpdated, now: datetime) -> dict[str, Any]:
    return {"code": p.procedure.code, "version": p.procedure.version, "agency": p.agency,
            "effective_from": p.effective_from, "effective_to": p.effective_to, "abolished": p.abolished,
            "channels": list(p.channels), "procedure": _snapshot_dump(p.procedure), "updated_at": now}


def procedure_from_row(r: Any) -> ProcedureUpdated:
    return ProcedureUpdated(procedure=snapshot_load(r.procedure), agency=r.agency,
                            effective_from=r.effective_from, effective_to=r.effective_to, abolished=r.abolished,
                            channels=tuple(r.channels))


def clock_event_row(code: str, ce: ClockEvent, now: datetime) -> dict[str, Any]:
    return {"code": code, "event_id": ce.event_id, "kind": ce.kind, "at": ce.at, "unit": ce.unit,
            "officer": ce.officer, "step": ce.step, "new_due_date": ce.new_due_date, "decision": ce.decision,
            "received_at": now}


def clock_event(r: Any, prefix: str = "") -> ClockEvent:
    """``prefix``: the columns of ``dossier_events`` are labelled so in ``r`` (a join with ``dossiers``)."""
    if prefix:
        return ClockEvent(**{k: getattr(r, prefix + k) for k in _CLOCK_EVENT_COLUMNS})
    return ClockEvent(kind=r.kind, at=r.at, unit=r.unit, officer=r.officer, step=r.step,
                      new_due_date=r.new_due_date, decision=r.decision, event_id=r.event_id)


_CLOCK_EVENT_COLUMNS = ("kind", "at", "unit", "officer", "step", "new_due_date", "decision", "event_id")
