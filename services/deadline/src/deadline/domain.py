"""Pure glue between canonical events and the deadline engine: clock events, dossier state, thresholds."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from dunghan.contract import events as ev
from dunghan.contract.events import Outcome
from dunghan.deadline import Clock, ClockEvent, Rules, warning_schedule

KINDS: dict[type[ev.Event], str] = {
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
SCHEDULE_HORIZON = timedelta(days=45)


def clock_event_for(e: ev.Event, event_id: str) -> ClockEvent | None:
    """The engine's view of a canonical event, or None when the event does not touch the clock."""
    kind = KINDS.get(type(e))
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
    key: str
    name: str
    at: datetime
    step: str | None = None

    @property
    def label(self) -> str:
        if self.name.startswith("overdue"):
            return "overdue"
        return "step" if self.step is not None else self.name


def with_clock(d: Dossier, clock: Clock, calendar: Any, rules: Rules) -> Dossier:
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


def thresholds(clock: Clock, calendar: Any, rules: Rules, until: datetime, since: datetime | None = None
               ) -> list[Threshold]:
    """Every warning instant of the clock (dossier and open steps), keyed so a changed due date warns anew;
    daily overdue repeats start at the last one reached by ``since``."""
    if clock.stopped_at is not None or clock.due_at is None:
        return []
    tag = (clock.due_date or clock.due_at.date()).isoformat()
    schedule = warning_schedule(clock, calendar, rules, until=until, since=since)
    out = [Threshold(f"{name}@{tag}", name, at) for name, at in schedule]
    for i, s in enumerate(clock.steps):
        if s.ended_at is None and s.due_at is not None:
            out.append(Threshold(f"step:{i}:{s.step}@{s.due_at.isoformat()}", "step", s.due_at, step=s.step))
    return sorted(out, key=lambda t: t.at)


def crossed(ths: list[Threshold], done: set[str], now: datetime) -> tuple[list[Threshold], list[Threshold]]:
    """(to emit, superseded) among the thresholds reached by ``now``: after an outage only the latest overdue
    repeat is emitted, and approach warnings already overtaken by the overdue are never sent."""
    reached = [t for t in ths if t.at <= now]
    pending = [t for t in reached if t.key not in done]
    overdue_reached = [t for t in reached if t.name.startswith("overdue")]
    overdue_pending = [t for t in pending if t.name.startswith("overdue")]
    emit: list[Threshold] = []
    superseded: list[Threshold] = []
    if overdue_pending:
        latest = max(overdue_pending, key=lambda t: t.at)
        emit.append(latest)
        superseded += [t for t in overdue_pending if t is not latest]
    for t in pending:
        if t.name in APPROACHING:
            (superseded if overdue_reached or _overtaken(t, pending) else emit).append(t)
        elif t.step is not None:
            emit.append(t)
    return sorted(emit, key=lambda t: t.at), superseded


def _overtaken(t: Threshold, pending: list[Threshold]) -> bool:
    return any(o.name in APPROACHING and o.at > t.at for o in pending)


def next_threshold_at(ths: list[Threshold], done: set[str]) -> datetime | None:
    return min((t.at for t in ths if t.key not in done), default=None)


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


def warning_event(d: Dossier, t: Threshold, clock: Clock) -> ev.Event:
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


@dataclass(frozen=True)
class RuleBook:
    """Engine rules by agency and procedure: the default, overridden per agency, then per procedure code."""

    default: Rules = field(default_factory=Rules)
    agencies: dict[str, dict[str, Any]] = field(default_factory=dict)
    procedures: dict[str, dict[str, Any]] = field(default_factory=dict)

    def for_dossier(self, agency: str, procedure_code: str) -> Rules:
        overrides = {**self.agencies.get(agency, {}), **self.procedures.get(procedure_code, {})}
        return dataclasses.replace(self.default, **overrides) if overrides else self.default

    @classmethod
    def from_mapping(cls, raw: dict[str, Any] | None) -> RuleBook:
        """``{default: {...}, agencies: {CODE: {...}}, procedures: {CODE: {...}}}`` with Rules field names."""
        raw = raw or {}
        base = Rules()
        default = dataclasses.replace(base, **_coerce(base, raw.get("default") or {}))
        return cls(
            default=default,
            agencies={str(k): _coerce(base, v) for k, v in (raw.get("agencies") or {}).items()},
            procedures={str(k): _coerce(base, v) for k, v in (raw.get("procedures") or {}).items()},
        )


def _coerce(base: Rules, values: dict[str, Any]) -> dict[str, Any]:
    known = {f.name for f in dataclasses.fields(base)}
    unknown = set(values) - known
    if unknown:
        raise ValueError(f"unknown rule(s): {', '.join(sorted(unknown))}")
    return {k: _like(getattr(base, k), v) for k, v in values.items()}


def _like(example: Any, value: Any) -> Any:
    if isinstance(value, str) and len(value) == 5 and value[2] == ":":
        return time.fromisoformat(value)
    if isinstance(value, list | tuple):
        return tuple(_like(None, v) for v in value)
    if isinstance(example, float) and isinstance(value, int):
        return float(value)
    return value
