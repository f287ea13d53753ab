"""Pure glue between canonical events and the deadline engine: clock events, dossier state, the warning plan."""
from __future__ import annotations

import dataclasses
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast

from deadline.rules import RuleBook as RuleBook  # app.py reads it from here
from dunghan.calendar import WorkCalendar
from dunghan.contract import events as ev
from dunghan.contract.events import Outcome
from dunghan.deadline import Clock, ClockEvent, Rules, WorkAxis, warning_schedule

CLOCK_EVENT_KINDS: dict[type[ev.Event], str] = {
    ev.DossierAccepted: "accepted",
    ev.DossierTransferred: "transferred",
    ev.SupplementRequested: "supplement_requested",
    ev.SupplementReceived: "supplement_received",
    ev.FeeRequested: "fee_requested",
    ev.FeePaid: "fee_paid",
    ev.ApologyIssued: "apology_issued",
    ev.ResultReady: "result_ready",
    ev.ResultReturned: "result_returned",
    ev.DossierWithdrawn: "withdrawn",
    ev.DossierStopped: "stopped",
    ev.DossierRefused: "refused",
}
DUE_REASONS = {
    "accepted": "accepted",
    "supplement_received": "supplement",
    "supplement_requested": "supplement",
    "fee_paid": "fee",
    "fee_requested": "fee",
    "apology_issued": "apology",
    "recomputed": "recomputed",
}
APPROACHING = ("d-1", "due_day")
HISTORY_GRACE = timedelta(days=7)


def clock_event_for(e: ev.Event, event_id: str) -> ClockEvent | None:
    """The engine's view of a canonical event, or None when the event does not touch the clock."""
    kind = CLOCK_EVENT_KINDS.get(type(e))
    if kind is None:
        return None
    return ClockEvent(
        kind=kind,  # type: ignore[arg-type]
        at=e.occurred_at,  # type: ignore[attr-defined]
        unit=getattr(e, "unit", None),
        officer=getattr(e, "officer", None),
        step=getattr(e, "step", None),
        new_due_date=getattr(e, "new_due_date", None),
        decision=getattr(e, "decision", None),
        event_id=event_id,
    )


@dataclass(frozen=True)
class Dossier:
    """What the service keeps per dossier: identity, the procedure snapshot and the last computed clock."""

    code: str
    agency: str
    procedure: ev.ProcedureSnapshot | None = None
    unit: str = ""
    officer: str = ""
    channel: int = 0
    applicant_name: str = ""
    accepted_at: datetime | None = None
    start_at: datetime | None = None
    due_at: datetime | None = None
    original_due_at: datetime | None = None
    due_date: date | None = None
    due_soon_at: datetime | None = None
    paused: bool = False
    stopped_at: datetime | None = None
    stop_reason: str | None = None
    state: str = "pending"
    calendar_version: str = ""
    next_threshold_at: datetime | None = None
    classification: dict[str, Any] | None = None
    steps: tuple[dict[str, Any], ...] = field(default=())
    history: bool = False
    appointment_at: datetime | None = None
    appointment_mismatch: bool = False

    @property
    def is_open(self) -> bool:
        return self.procedure is not None and self.stopped_at is None

    def accepted(self, e: ev.DossierAccepted) -> Dossier:
        return dataclasses.replace(
            self, agency=e.agency, procedure=e.procedure, unit=e.unit, officer=e.officer, channel=e.channel,
            applicant_name=e.applicant_name, history=self.history or e.history, appointment_at=e.appointment_at,
        )


def is_history(d: Dossier, clock: Clock, now: datetime, grace: timedelta = HISTORY_GRACE) -> bool:
    """Loaded as history: flagged so on acceptance, or its due instant had already passed (by more than
    ``grace``, DEADLINE_HISTORY_GRACE_HOURS) when the service first learnt it: every warning threshold lay before
    the service saw the dossier. Such a dossier counts in every figure but warns nobody (DOMAIN.md section 6).
    The grace keeps a dossier that reaches the service a few days late (a departmental system's outage) live:
    its head still hears that it is overdue."""
    if d.history:
        return True
    return d.due_at is None and clock.due_at is not None and clock.due_at + grace <= now


@dataclass(frozen=True)
class Threshold:
    """A warning instant; its ``key`` names the due date (or step due instant), so a moved due date warns anew."""

    key: str
    name: str  # d-1 | due_day | overdue | overdue+N | step
    at: datetime
    step: str | None = None

    @property
    def label(self) -> str:
        if self.name.startswith("overdue"):
            return "overdue"
        return "step" if self.step is not None else self.name


def with_clock(d: Dossier, clock: Clock, calendar: WorkCalendar, rules: Rules) -> Dossier:
    """The dossier updated from a freshly computed clock (classification is handled separately)."""
    first_warnings = [] if clock.stopped_at is not None else warning_schedule(clock, calendar, rules)  # no repeats
    due_soon = next((at for name, at in first_warnings if name == "d-1"), None)
    return dataclasses.replace(
        d,
        unit=clock.holder_unit or d.unit,
        officer=clock.holder_officer or d.officer,
        accepted_at=clock.accepted_at, start_at=clock.start_at, due_at=clock.due_at,
        original_due_at=clock.original_due_at, due_date=clock.due_date, due_soon_at=due_soon,
        paused=clock.paused, stopped_at=clock.stopped_at, stop_reason=clock.stop_reason, state=clock.state,
        calendar_version=clock.calendar_version, steps=tuple(step_dict(s) for s in clock.steps),
    )


def step_dict(s: Any) -> dict[str, Any]:
    return {
        "step": s.step, "unit": s.unit, "officer": s.officer,
        "started_at": _iso(s.started_at), "due_at": _iso(s.due_at), "ended_at": _iso(s.ended_at),
        "outcome": s.outcome,
    }


def _iso(t: datetime | None) -> str | None:
    return t.isoformat() if t is not None else None


def thresholds(clock: Clock, calendar: WorkCalendar, rules: Rules, until: datetime, since: datetime | None = None
               ) -> list[Threshold]:
    """Every warning instant of the clock (dossier and open steps), keyed so a changed due date warns anew;
    daily overdue repeats from the last one reached by ``since`` up to ``until``."""
    if clock.stopped_at is not None or clock.due_at is None:
        return []
    tag = (clock.due_date or clock.due_at.date()).isoformat()
    schedule = warning_schedule(clock, calendar, rules, until=until, since=since)
    out = [Threshold(f"{name}@{tag}", name, at) for name, at in schedule]
    for i, s in enumerate(clock.steps):
        if s.ended_at is None and s.due_at is not None:
            out.append(Threshold(f"step:{i}:{s.step}@{s.due_at.isoformat()}", "step", s.due_at, step=s.step))
    return sorted(out, key=lambda t: t.at)


@dataclass(frozen=True)
class Alert:
    """A reached threshold and the warning it sends."""

    threshold: Threshold
    event: ev.DeadlineApproaching | ev.DeadlineBreached | ev.StepOverdue


@dataclass(frozen=True)
class WarningPlan:
    """What a dossier's thresholds call for at ``now``: warnings to send, reached thresholds to mark fired
    without a message (overtaken), and the first threshold left once that is done (when to look again)."""

    send: tuple[Alert, ...] = ()
    overtaken: tuple[Threshold, ...] = ()
    next_at: datetime | None = None

    @property
    def look_at(self) -> datetime | None:
        """When the scan must look at the dossier when the plan is left to it (the event path): at the first
        threshold already reached, else ``next_at``."""
        reached = [a.threshold.at for a in self.send] + [t.at for t in self.overtaken]
        return min(reached, default=self.next_at)


def warns(d: Dossier, clock: Clock) -> bool:
    """The clock can still warn: a live dossier (not history), open, running (not paused), with a due instant."""
    return (not d.history and d.is_open and clock.stopped_at is None and not clock.paused
            and clock.due_at is not None)


def plan_warnings(d: Dossier, clock: Clock, calendar: WorkCalendar, rules: Rules, fired: AbstractSet[str],
                  now: datetime) -> WarningPlan:
    """The warnings due at ``now`` given the thresholds already ``fired``. After an outage only the latest overdue
    repeat is sent; an approach warning overtaken by a later one or by the overdue is marked, never sent."""
    if not warns(d, clock):
        return WarningPlan()
    schedule = thresholds(clock, calendar, rules, until=_next_opening(calendar, rules, now), since=now)
    reached = [t for t in schedule if t.at <= now]
    pending = [t for t in reached if t.key not in fired]
    overdue_reached = any(t.name.startswith("overdue") for t in reached)
    latest = max((t for t in pending if t.name.startswith("overdue")), key=lambda t: t.at, default=None)
    send: list[Threshold] = []
    overtaken: list[Threshold] = []
    for t in pending:
        if t.name.startswith("overdue"):
            (send if t is latest else overtaken).append(t)
        elif t.name in APPROACHING:
            later = any(o.name in APPROACHING and o.at > t.at for o in pending)
            (overtaken if overdue_reached or later else send).append(t)
        else:
            send.append(t)
    done = {*fired, *(t.key for t in pending)}
    return WarningPlan(
        send=tuple(Alert(t, warning_event(d, t, clock)) for t in sorted(send, key=lambda t: t.at)),
        overtaken=tuple(overtaken), next_at=min((t.at for t in schedule if t.key not in done), default=None),
    )


def _next_opening(calendar: WorkCalendar, rules: Rules, now: datetime) -> datetime:
    """The opening of the working day after ``now``'s: the first daily overdue repeat after ``now`` falls no
    later, so the schedule need not reach further to know when to look again."""
    axis = WorkAxis(calendar, rules.windows)
    return axis.instant_start((axis.position(now) // axis.day + 1) * axis.day)


def days_overdue(name: str) -> int:
    """Working days late if resolved now: ``overdue`` (the due instant itself) is 0, ``overdue+N`` is N."""
    _, _, n = name.partition("+")
    return int(n) if n.isdigit() else 0


def due_reason(previous_due: datetime | None, trigger: str) -> str:
    if previous_due is None:
        return "accepted"
    return DUE_REASONS.get(trigger, "corrected")


def due_date_set(d: Dossier, clock: Clock, reason: str, previous: datetime | None) -> ev.DueDateSet:
    assert clock.due_at is not None
    return ev.DueDateSet(
        code=d.code, agency=d.agency, unit=d.unit, officer=d.officer, due_at=clock.due_at,
        original_due_at=clock.original_due_at or clock.due_at, calendar_version=clock.calendar_version,
        reason=reason, previous_due_at=previous, history=d.history,
    )


def classified(d: Dossier, clock: Clock) -> ev.DossierClassified:
    assert d.procedure is not None and clock.stopped_at is not None and clock.accepted_at is not None
    return ev.DossierClassified(
        code=d.code, agency=d.agency, unit=clock.holder_unit or d.unit, officer=clock.holder_officer or d.officer,
        procedure_code=d.procedure.code, procedure_field=d.procedure.field, channel=d.channel,
        accepted_at=clock.accepted_at, stopped_at=clock.stopped_at, stop_reason=clock.stop_reason or "",
        outcome=cast(Outcome, clock.outcome or "on_time"), working_days_diff=clock.working_days_diff or 0,
        resolution_working_hours=float(clock.resolution_working_hours or 0.0),
        due_at=clock.due_at, original_due_at=clock.original_due_at, apologies=clock.apologies,
        supplement_requests=clock.supplement_requests, violations=tuple(clock.violations),
        steps=tuple(
            ev.StepResult(step=s.step, unit=s.unit or "", officer=s.officer or "", started_at=s.started_at,
                          due_at=s.due_at, ended_at=s.ended_at, outcome=cast(Outcome, s.outcome))
            for s in clock.steps if s.ended_at is not None and s.due_at is not None and s.outcome is not None
        ),
        calendar_version=clock.calendar_version,
    )


def warning_event(d: Dossier, t: Threshold, clock: Clock
                  ) -> ev.DeadlineApproaching | ev.DeadlineBreached | ev.StepOverdue:
    assert d.procedure is not None and clock.due_at is not None
    common = {"code": d.code, "agency": d.agency, "unit": d.unit, "officer": d.officer}
    if t.step is not None:
        return ev.StepOverdue(**common, step=t.step, step_due_at=t.at)
    proc = {"procedure_code": d.procedure.code, "procedure_name": d.procedure.name,
            "applicant_name": d.applicant_name}
    if t.name.startswith("overdue"):
        return ev.DeadlineBreached(**common, due_at=clock.due_at, days_overdue=days_overdue(t.name), **proc)
    return ev.DeadlineApproaching(**common, threshold=t.name, due_at=clock.due_at, **proc)


def classification_summary(c: ev.DossierClassified) -> dict[str, Any]:
    return {"outcome": c.outcome, "working_days_diff": c.working_days_diff, "unit": c.unit, "officer": c.officer,
            "stopped_at": c.stopped_at.isoformat(), "violations": list(c.violations)}
