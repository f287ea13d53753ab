"""The scalar fast path (due_instant) against compute_clock and a naive day-by-day loop on random cases."""
from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

import pytest

from dunghan.calendar import CalendarRangeError, load_calendar
from dunghan.clock import LOCAL_TZ
from dunghan.contract.events import ProcedureSnapshot
from dunghan.deadline import ClockEvent, Duration, Rules, WorkAxis, compute_clock, due_instant

CAL = load_calendar()
FAR = datetime(2040, 1, 1, tzinfo=LOCAL_TZ)
Windows = tuple[tuple[time, time], ...]
WINDOW_SETS: tuple[Windows, ...] = (
    Rules().windows,
    ((time(7, 0), time(11, 0)), (time(13, 30), time(16, 0)), (time(16, 30), time(18, 0))),
)
CUTOFFS = (time(17, 0), time(15, 0), time(11, 30), time(16, 45, 30))
VALUES = {
    "working_hours": (0.5, 1, 1.5, 2, 3.25, 4, 7.9, 8, 9, 16, 24, 40, 80, 160, 480),
    "working_days": (0.25, 0.5, 1, 1.5, 2, 3, 5, 7.5, 10, 15, 20, 30, 60),
}


def _seconds(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def naive_due(accepted: datetime, duration: Duration, cutoff: time, windows: Windows) -> datetime:
    """Walk day by day, then window by window, subtracting working seconds."""
    spans = [(_seconds(s), _seconds(e)) for s, e in windows]
    day_length = sum(e - s for s, e in spans)
    remaining = duration.working_seconds(day_length)
    local = accepted.astimezone(LOCAL_TZ)
    day = local.date()
    second = _seconds(local.time())
    pushed = not (CAL.is_working_day(day) and second < _seconds(cutoff))
    if pushed:
        day = CAL.next_working_day(day)
    if remaining >= day_length:
        day = CAL.next_working_day(day)
    moment = 0 if pushed or remaining >= day_length else second
    while True:
        if CAL.is_working_day(day):
            for s, e in spans:
                begin = max(s, moment)
                if begin >= e:
                    continue
                if remaining <= e - begin:
                    return datetime.combine(day, time(), LOCAL_TZ) + timedelta(seconds=begin + remaining)
                remaining -= e - begin
        day += timedelta(days=1)
        moment = 0


def engine_due(accepted: datetime, duration: Duration, cutoff: time, windows: Windows) -> datetime:
    procedure = ProcedureSnapshot("P", 1, "x", "f", duration.value, duration.unit,  # type: ignore[arg-type]
                                  duration.value, duration.unit)  # type: ignore[arg-type]
    clock = compute_clock([ClockEvent("accepted", accepted)], procedure, CAL, FAR,
                          Rules(windows=windows, cutoff=cutoff))
    assert clock.due_at is not None
    return clock.due_at


def random_cases(n: int, seed: int) -> list[tuple[datetime, Duration, time, Windows]]:
    rnd = random.Random(seed)
    base = datetime(2016, 1, 1, tzinfo=LOCAL_TZ)
    cases = []
    for _ in range(n):
        accepted = base + timedelta(seconds=rnd.randrange(0, 10 * 365 * 86400))
        if rnd.random() < 0.25:
            accepted = accepted.astimezone(UTC)
        unit = rnd.choice(("working_hours", "working_days"))
        duration = Duration(rnd.choice(VALUES[unit]), unit)
        cases.append((accepted, duration, rnd.choice(CUTOFFS), rnd.choice(WINDOW_SETS)))
    return cases


@pytest.mark.parametrize("seed", [1, 2])
def test_fast_path_matches_the_engine_and_the_naive_loop(seed: int) -> None:
    axes = {windows: WorkAxis(CAL, windows) for windows in WINDOW_SETS}
    for accepted, duration, cutoff, windows in random_cases(2000, seed):
        fast = due_instant(axes[windows], accepted, duration, cutoff)
        expected = engine_due(accepted, duration, cutoff, windows)
        assert repr(fast) == repr(expected), (accepted, duration, cutoff, windows)
        assert fast == naive_due(accepted, duration, cutoff, windows), (accepted, duration, cutoff, windows)
        assert repr(due_instant(axes[windows], accepted, duration, cutoff)) == repr(fast)


def test_fast_path_results_are_aware_in_the_calendar_zone() -> None:
    axis = WorkAxis(CAL, Rules().windows)
    due = due_instant(axis, datetime(2017, 3, 1, 14, tzinfo=UTC), Duration(4, "working_hours"), time(17))
    assert due.tzinfo is CAL.tz
    assert due == datetime(2017, 3, 2, 11, 30, tzinfo=LOCAL_TZ)
    assert due.utcoffset() == timedelta(hours=7)


def test_fast_path_outside_the_calendar_raises() -> None:
    axis = WorkAxis(CAL, Rules().windows)
    with pytest.raises(CalendarRangeError):
        due_instant(axis, datetime(1999, 12, 31, 9, tzinfo=LOCAL_TZ), Duration(1, "working_days"), time(17))
    with pytest.raises(CalendarRangeError):
        due_instant(axis, datetime(2050, 12, 20, 9, tzinfo=LOCAL_TZ), Duration(60, "working_days"), time(17))


def test_workday_midnight_is_cached_and_aware() -> None:
    k = CAL.index_before(date(2024, 5, 6).toordinal())
    first = CAL.workday_midnight(k)
    assert first == datetime(2024, 5, 6, tzinfo=LOCAL_TZ) and first.tzinfo is CAL.tz
    assert CAL.workday_midnight(k) is first
    with pytest.raises(CalendarRangeError):
        CAL.workday_midnight(len(CAL.workdays))
