"""Properties of the engine, checked with hypothesis over random acceptances, durations, pauses and notices."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dunghan.calendar import Notice, load_calendar
from dunghan.clock import LOCAL_TZ
from dunghan.contract.events import ProcedureSnapshot
from dunghan.deadline import (
    ClockEvent,
    Duration,
    Rules,
    WorkAxis,
    compute_clock,
    due_bulk,
    due_instant,
    parse_clock_time,
)

CAL = load_calendar()
FAR = datetime(2040, 1, 1, tzinfo=LOCAL_TZ)
WINDOWS = Rules().windows

instants = st.datetimes(datetime(2016, 1, 1), datetime(2025, 12, 1), timezones=st.just(LOCAL_TZ)).map(
    lambda d: d.replace(second=0, microsecond=0))
half_hours = st.integers(min_value=1, max_value=480).map(lambda n: n / 2)
cutoffs = st.sampled_from(["17:00", "15:00", "11:30"])


def proc(value: float, unit: str = "working_hours", cutoff: str = "17:00") -> ProcedureSnapshot:
    return ProcedureSnapshot("P", 1, "x", "f", value, unit, value, unit, cutoff=cutoff)  # type: ignore[arg-type]


def due(accepted: datetime, procedure: ProcedureSnapshot, *extra: ClockEvent, cal=CAL) -> datetime:
    clock = compute_clock([ClockEvent("accepted", accepted), *extra], procedure, cal, FAR)
    assert clock.due_at is not None
    return clock.due_at


def in_a_window(at: datetime) -> bool:
    local = at.astimezone(LOCAL_TZ)
    t = local.timetz().replace(tzinfo=None)
    return CAL.is_working_day(local.date()) and any(s < t <= e for s, e in WINDOWS)


@settings(max_examples=300, deadline=None)
@given(instants, half_hours, cutoffs)
def test_due_is_never_on_a_non_working_instant(accepted: datetime, hours: float, cutoff: str) -> None:
    assert in_a_window(due(accepted, proc(hours, cutoff=cutoff)))


@settings(max_examples=200, deadline=None)
@given(instants, st.integers(min_value=0, max_value=60))
def test_calendar_day_dues_fall_at_closing_of_a_working_day(accepted: datetime, days: int) -> None:
    at = due(accepted, proc(days, "calendar_days"))
    assert CAL.is_working_day(at.date()) and at.timetz().replace(tzinfo=None) == time(17, 0)
    assert at.date() >= accepted.date() + timedelta(days=days)


@settings(max_examples=300, deadline=None)
@given(instants, half_hours, half_hours, cutoffs)
def test_due_is_monotonic_in_duration(accepted: datetime, a: float, b: float, cutoff: str) -> None:
    low, high = sorted((a, b))
    assert due(accepted, proc(low, cutoff=cutoff)) <= due(accepted, proc(high, cutoff=cutoff))


@settings(max_examples=200, deadline=None)
@given(instants, st.integers(min_value=1, max_value=60))
def test_whole_days_end_at_closing_of_the_nth_working_day(accepted: datetime, days: int) -> None:
    at = due(accepted, proc(days, "working_days"))
    assert at.timetz().replace(tzinfo=None) == time(17, 0)
    local = accepted.astimezone(LOCAL_TZ)
    effective = local.date() if CAL.is_working_day(local.date()) and local.time() < time(17) else \
        CAL.next_working_day(local.date())
    assert at.date() == CAL.add_working_days(effective, days)


@settings(max_examples=200, deadline=None)
@given(instants, half_hours, st.integers(min_value=0, max_value=20 * 24 * 60),
       st.integers(min_value=0, max_value=10 * 24 * 60))
def test_a_pause_never_makes_a_dossier_due_earlier(
    accepted: datetime, hours: float, after: int, length: int
) -> None:
    start = accepted + timedelta(minutes=after)
    pause = (ClockEvent("supplement_requested", start), ClockEvent("supplement_received",
                                                                   start + timedelta(minutes=length)))
    assert due(accepted, proc(hours), *pause) >= due(accepted, proc(hours))


@settings(max_examples=150, deadline=None)
@given(instants, half_hours, st.integers(min_value=0, max_value=90))
def test_adding_a_holiday_never_makes_a_dossier_due_earlier(accepted: datetime, hours: float, offset: int) -> None:
    day = accepted.date() + timedelta(days=offset)
    extra = CAL.with_notices([Notice(day, "off", "Nghỉ thử", "Thông báo thử", date(2016, 1, 1))])
    assert due(accepted, proc(hours), cal=extra) >= due(accepted, proc(hours))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.dates(date(2016, 1, 1), date(2025, 12, 1)), st.integers(0, 60)), min_size=1,
                max_size=30))
def test_bulk_path_agrees_with_the_calendar(cases: list[tuple[date, int]]) -> None:
    accepted = np.array([d for d, _ in cases], dtype="datetime64[D]")
    days = np.array([n for _, n in cases])
    expected = [CAL.add_working_days(d if CAL.is_working_day(d) else CAL.next_working_day(d), n) for d, n in cases]
    assert due_bulk(accepted, days, CAL).tolist() == expected


@settings(max_examples=300, deadline=None)
@given(instants, half_hours, cutoffs, st.sampled_from(["working_hours", "working_days", "calendar_days"]))
def test_scalar_fast_path_agrees_with_the_engine(accepted: datetime, value: float, cutoff: str, unit: str) -> None:
    axis = WorkAxis(CAL, WINDOWS)
    fast = due_instant(axis, accepted, Duration(value / 8 if unit != "working_hours" else value, unit),
                       parse_clock_time(cutoff))
    assert fast == due(accepted, proc(value / 8 if unit != "working_hours" else value, unit, cutoff))
