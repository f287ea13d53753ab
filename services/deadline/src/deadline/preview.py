"""The due date before acceptance (what the desk prints on the receipt) and the check of a receipt's appointment:
pure, through the same engine call the dossier's clock makes."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time

from dunghan.calendar import CalendarRangeError, WorkCalendar
from dunghan.contract import events as ev
from dunghan.deadline import Clock, ClockEvent, Rules, WorkAxis, compute_clock


def in_force(versions: Iterable[ev.ProcedureUpdated], day: date) -> ev.ProcedureUpdated | None:
    """The procedure version in force on ``day`` (latest start wins); None if none is, or it is abolished."""
    live = [v for v in versions
            if v.effective_from <= day and (v.effective_to is None or day < v.effective_to)]
    if not live:
        return None
    chosen = max(live, key=lambda v: (v.effective_from, v.procedure.version))
    return None if chosen.abolished else chosen


def due_on_acceptance(procedure: ev.ProcedureSnapshot, accepted_at: datetime, calendar: WorkCalendar,
                      rules: Rules) -> Clock:
    """The clock of a dossier accepted at ``accepted_at`` with nothing else happened: its due instant is the one
    the dossier's clock computes from the same acceptance (``compute_clock`` over the acceptance alone)."""
    accepted = ClockEvent(kind="accepted", at=accepted_at)
    return compute_clock([accepted], procedure, calendar, accepted_at, rules)


def appointment_differs(appointment: datetime, due: datetime, tz: object) -> bool:
    """A receipt's appointment differs from the due instant: compared to the minute, or on the date alone when
    the appointment is at 00:00 local time (a receipt that prints only a date)."""
    local = appointment.astimezone(tz)  # type: ignore[arg-type]
    if local.time() == time(0, 0):
        return local.date() != due.astimezone(tz).date()  # type: ignore[arg-type]
    return abs((appointment - due).total_seconds()) >= 60


def working_hours_between(calendar: WorkCalendar, rules: Rules, start: datetime, end: datetime) -> float | None:
    """Signed working hours from ``start`` to ``end`` (negative when ``end`` is earlier); None when either lies
    outside the calendar's years (an appointment typed as 2099 is a mismatch all the same)."""
    axis = WorkAxis(calendar, rules.windows)
    try:
        return round((axis.position(end) - axis.position(start)) / 3600, 2)
    except CalendarRangeError:
        return None


def mismatch_event(e: ev.DossierAccepted, clock: Clock, calendar: WorkCalendar, rules: Rules
                   ) -> ev.AppointmentMismatch | None:
    """The ``appointment_mismatch`` event of an acceptance whose receipt shows another date, or None."""
    if e.appointment_at is None or clock.due_at is None:
        return None
    if not appointment_differs(e.appointment_at, clock.due_at, calendar.tz):
        return None
    return ev.AppointmentMismatch(
        code=e.code, agency=e.agency, unit=e.unit, officer=e.officer, procedure_code=e.procedure.code,
        accepted_at=e.occurred_at, appointment_at=e.appointment_at, due_at=clock.due_at,
        working_hours_diff=working_hours_between(calendar, rules, clock.due_at, e.appointment_at),
        calendar_version=clock.calendar_version,
    )
