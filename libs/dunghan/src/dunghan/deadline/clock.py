"""compute_clock: the pure deadline engine, a function of (events, procedure, calendar, now, rules)."""
from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from dunghan.calendar import WorkCalendar
from dunghan.contract.events import ProcedureSnapshot
from dunghan.deadline.classification import classify, open_state, stop_reason_of
from dunghan.deadline.counting import WorkAxis, parse_clock_time, start_and_due
from dunghan.deadline.durations import Duration
from dunghan.deadline.explanation import Facts, explain, explain_unaccepted
from dunghan.deadline.model import STOP_KINDS, Clock, ClockEvent, Pause, Rules
from dunghan.deadline.steps import Segment, step_clocks


@dataclass
class _Walk:
    """What one pass over the sorted events found."""

    accepted: ClockEvent | None = None
    stop: ClockEvent | None = None
    refused_before_acceptance: ClockEvent | None = None
    segments: list[Segment] = field(default_factory=list)
    pauses: list[tuple[str, datetime, datetime | None]] = field(default_factory=list)
    supplement_requests: int = 0
    apologies: list[ClockEvent] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)


def _violation(walk: _Walk, name: str) -> None:
    if name not in walk.violations:
        walk.violations.append(name)


def _open_pause(walk: _Walk, kind: str, at: datetime) -> None:
    if not any(end is None for _, _, end in walk.pauses):
        walk.pauses.append((kind, at, None))


def _close_pause(walk: _Walk, kind: str | None, at: datetime) -> None:
    for i, (k, start, end) in enumerate(walk.pauses):
        if end is None and (kind is None or k == kind):
            walk.pauses[i] = (k, start, at)


def _walk(events: Sequence[ClockEvent], now: datetime, fee_pauses: bool, rules: Rules) -> _Walk:
    walk = _Walk()
    for ev in sorted(events, key=lambda e: (e.at, e.event_id)):
        if ev.at > now:
            break
        if walk.accepted is None:
            if ev.kind == "accepted":
                walk.accepted = ev
                walk.segments.append(Segment(ev.step, ev.unit, ev.officer, ev.at))
            elif ev.kind == "refused":
                walk.refused_before_acceptance = ev
            continue
        if ev.kind == "transferred":
            walk.segments.append(Segment(ev.step, ev.unit or walk.segments[-1].unit,
                                         ev.officer or walk.segments[-1].officer, ev.at))
        elif ev.kind == "supplement_requested":
            walk.supplement_requests += 1
            if walk.supplement_requests > 1:
                _violation(walk, "second_supplement_request")
            if walk.supplement_requests == 1 or rules.pause_on_repeat_supplement:
                _open_pause(walk, "supplement", ev.at)
        elif ev.kind == "supplement_received":
            _close_pause(walk, "supplement", ev.at)
        elif ev.kind == "fee_requested" and fee_pauses:
            _open_pause(walk, "fee", ev.at)
        elif ev.kind == "fee_paid":
            _close_pause(walk, "fee", ev.at)
        elif ev.kind == "apology_issued":
            walk.apologies.append(ev)
        elif ev.kind in STOP_KINDS:
            walk.stop = ev
            _close_pause(walk, None, ev.at)
            break
    return walk


def _no_clock(calendar: WorkCalendar, walk: _Walk) -> Clock:
    refused = walk.refused_before_acceptance
    return Clock(
        accepted_at=None, start_at=None, due_at=None, original_due_at=None, due_date=None, paused=False,
        paused_working_hours=0.0, stopped_at=refused.at if refused else None,
        stop_reason="refused" if refused else None, outcome=None, working_days_diff=None,
        resolution_working_hours=None, state="closed" if refused else "in_time", supplement_requests=0,
        apologies=0, violations=(), holder_unit=refused.unit if refused else None,
        holder_officer=refused.officer if refused else None, steps=(), calendar_version=calendar.version,
        explainer=functools.partial(explain_unaccepted, calendar, refused),
    )


def compute_clock(
    events: Sequence[ClockEvent], procedure: ProcedureSnapshot, calendar: WorkCalendar, now: datetime,
    rules: Rules = Rules(),
) -> Clock:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    axis = WorkAxis(calendar, rules.windows)
    fee_pauses = procedure.pause_on_fee if rules.pause_on_fee is None else rules.pause_on_fee
    walk = _walk(events, now, fee_pauses, rules)
    accepted = walk.accepted
    if accepted is None:
        return _no_clock(calendar, walk)
    duration = Duration(procedure.committed_value, procedure.committed_unit)
    cutoff = rules.cutoff or parse_clock_time(procedure.cutoff)
    start = start_and_due(axis, accepted.at, duration, cutoff)
    end_at = walk.stop.at if walk.stop else now
    pauses = []
    for kind, a, b in walk.pauses:
        counted = max(0, axis.position(b or end_at) - max(axis.position(a), start.start_pos))
        pauses.append(Pause(kind, a, b, counted))
    paused_total = sum(p.working_seconds for p in pauses)
    original_due_at = axis.instant_end(start.base_due_pos + paused_total)
    due_at = original_due_at
    apology_notes: list[tuple[ClockEvent, str | None]] = []
    for i, apology in enumerate(walk.apologies):
        problem = _apology_problem(calendar, i, apology, original_due_at, rules)
        if problem:
            _violation(walk, problem)
        if i == 0 and apology.new_due_date is not None:
            due_at = axis.closing_of(apology.new_due_date.toordinal())
        apology_notes.append((apology, problem))
    violations = tuple(walk.violations)
    outcome = diff = resolution = None
    stop_reason = stop_reason_of(walk.stop.kind, walk.stop.decision) if walk.stop else None
    if walk.stop and stop_reason:
        outcome, diff = classify(calendar, stop_reason, walk.stop.at, original_due_at, violations, rules)
        used = axis.position(walk.stop.at) - axis.position(accepted.at) - paused_total
        resolution = max(0, used) / 3600
        state = "closed"
    else:
        paused_now = any(p.end is None for p in pauses)
        state = open_state(axis, now, due_at, paused_now, rules)
    holder = walk.segments[-1]
    steps = step_clocks(axis, procedure.steps, walk.segments, pauses, walk.stop.at if walk.stop else None, now)
    facts = Facts(
        calendar=calendar, axis=axis, accepted_at=accepted.at, duration=duration,
        statutory=Duration(procedure.statutory_value, procedure.statutory_unit), cutoff=cutoff, start=start,
        pauses=tuple(pauses), apologies=tuple(apology_notes), original_due_at=original_due_at, due_at=due_at,
        stop=walk.stop, stop_reason=stop_reason, outcome=outcome, diff=diff, violations=violations, state=state,
        apology_min_working_days=rules.apology_min_working_days,
    )
    return Clock(
        accepted_at=accepted.at, start_at=axis.instant_start(start.start_pos), due_at=due_at,
        original_due_at=original_due_at, due_date=due_at.astimezone(calendar.tz).date(),
        paused=state == "waiting_applicant", paused_working_hours=paused_total / 3600,
        stopped_at=walk.stop.at if walk.stop else None, stop_reason=stop_reason,
        outcome=outcome, working_days_diff=diff, resolution_working_hours=resolution, state=state,
        supplement_requests=walk.supplement_requests, apologies=len(walk.apologies), violations=violations,
        holder_unit=holder.unit, holder_officer=holder.officer, steps=steps, calendar_version=calendar.version,
        pauses=tuple(pauses), explainer=functools.partial(explain, facts),
        effective_acceptance_date=date.fromordinal(start.effective_ordinal),
    )


def _apology_problem(
    calendar: WorkCalendar, index: int, apology: ClockEvent, original_due_at: datetime, rules: Rules
) -> str | None:
    if index > 0:
        return "second_apology"
    issued = apology.at.astimezone(calendar.tz).date()
    due = original_due_at.astimezone(calendar.tz).date()
    if calendar.working_days_between(issued, due) < rules.apology_min_working_days:
        return "late_apology"
    return None
