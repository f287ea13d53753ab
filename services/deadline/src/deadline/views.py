"""Plain-dict views of dossiers, clocks and the calendar for the HTTP API."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from deadline.domain import Dossier
from dunghan.contract.events import ProcedureUpdated
from dunghan.deadline import Clock
from dunghan.deadline.explanation import instant_label


def summary(d: Dossier) -> dict[str, Any]:
    return {
        "code": d.code, "agency": d.agency, "unit": d.unit, "officer": d.officer,
        "procedure_code": d.procedure.code if d.procedure else None,
        "procedure_name": d.procedure.name if d.procedure else None,
        "due_at": d.due_at, "due_date": d.due_date, "original_due_at": d.original_due_at, "state": d.state,
        "appointment_at": d.appointment_at, "appointment_mismatch": d.appointment_mismatch,
    }


def clock_view(d: Dossier, clock: Any) -> dict[str, Any]:
    return {
        **summary(d),
        "unit": clock.holder_unit or d.unit, "officer": clock.holder_officer or d.officer,
        "procedure_version": d.procedure.version if d.procedure else None,
        "accepted_at": clock.accepted_at, "start_at": clock.start_at, "due_at": clock.due_at,
        "original_due_at": clock.original_due_at, "due_date": clock.due_date, "paused": clock.paused,
        "paused_working_hours": clock.paused_working_hours, "stopped_at": clock.stopped_at,
        "stop_reason": clock.stop_reason, "outcome": clock.outcome, "working_days_diff": clock.working_days_diff,
        "resolution_working_hours": clock.resolution_working_hours, "state": clock.state,
        "supplement_requests": clock.supplement_requests, "apologies": clock.apologies,
        "violations": list(clock.violations), "steps": list(clock.steps),
        "calendar_version": clock.calendar_version, "classification": d.classification,
        "explanation": list(clock.explanation),
    }


def due_date_view(version: ProcedureUpdated, clock: Clock, tz: Any) -> dict[str, Any]:
    p = version.procedure
    assert clock.due_at is not None
    return {
        "procedure_code": p.code, "procedure_version": p.version, "procedure_name": p.name,
        "committed_value": p.committed_value, "committed_unit": p.committed_unit,
        "accepted_at": clock.accepted_at, "effective_acceptance_date": clock.effective_acceptance_date,
        "start_at": clock.start_at, "due_at": clock.due_at, "due_date": clock.due_date,
        "calendar_version": clock.calendar_version,
        "receipt_text": f"Hẹn trả kết quả: {instant_label(clock.due_at, tz)}.",
        "explanation": [line for line in clock.explanation if not line.startswith("Trạng thái:")],
    }


def calendar_year(cal: Any, year: int) -> dict[str, Any]:
    start, end = date(year, 1, 1), date(year, 12, 31)
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    working = [d for d in days if cal.is_working_day(d)]
    return {
        "year": year, "calendar_version": cal.version, "working_days": working,
        "working_day_count": len(working), "days_off": cal.days_off(start, end),
        "makeup_days": [m.date for m in cal.makeup_days(start, end)],
        "notices": [n for n in cal.notices if n.date.year == year],
    }
