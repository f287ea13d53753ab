"""Deadline engine benchmark: scalar path vs a naive day-by-day loop, bulk path vs numpy.busday_offset."""
from __future__ import annotations

import random
import time as clock
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

import numpy as np

from dunghan.calendar import WorkCalendar, load_calendar
from dunghan.clock import LOCAL_TZ
from dunghan.deadline import Duration, Rules, WorkAxis, due_bulk, due_instant

SCALAR_GOAL = 20.0
BULK_GOAL = 0.5  # at least half the speed of busday_offset, i.e. within 2x


def naive_due(cal: WorkCalendar, off: frozenset[date], makeup: frozenset[date], accepted: datetime,
              hours: float, cutoff: time = time(17, 0)) -> datetime:
    """The obvious implementation: walk day by day, then window by window, subtracting working time."""
    def works(d: date) -> bool:
        return d in makeup or (d.weekday() < 5 and d not in off)

    windows = [(datetime.combine(date.min, s), datetime.combine(date.min, e)) for s, e in Rules().windows]
    local = accepted.astimezone(LOCAL_TZ)
    day = local.date()
    pushed = not (works(day) and local.time() < cutoff)
    if pushed:
        day += timedelta(days=1)
        while not works(day):
            day += timedelta(days=1)
    remaining = timedelta(hours=hours)
    if remaining >= timedelta(hours=8):
        day += timedelta(days=1)
        while not works(day):
            day += timedelta(days=1)
        moment = time(0, 0)
    else:
        moment = time(0, 0) if pushed else local.time().replace(tzinfo=None)
    while True:
        if works(day):
            for start, end in windows:
                begin = max(start, datetime.combine(date.min, moment))
                if begin >= end:
                    continue
                span = end - begin
                if remaining <= span:
                    return datetime.combine(day, (begin + remaining).time(), LOCAL_TZ)
                remaining -= span
        day += timedelta(days=1)
        moment = time(0, 0)


def _cases(n: int, seed: int = 7) -> tuple[list[datetime], list[float]]:
    rnd = random.Random(seed)
    base = datetime(2016, 1, 1, tzinfo=LOCAL_TZ)
    accepted = [base + timedelta(minutes=rnd.randrange(0, 9 * 365 * 24 * 60)) for _ in range(n)]
    hours = [rnd.choice((0.5, 1, 2, 4, 8, 16, 24, 40, 80, 120, 160, 240, 320, 480)) for _ in range(n)]
    return accepted, hours


def _rate(fn: Callable[[], object], n: int) -> float:
    started = clock.perf_counter()
    fn()
    return n / (clock.perf_counter() - started)


def scalar_figure(cal: WorkCalendar, n: int) -> dict[str, object]:
    axis = WorkAxis(cal, Rules().windows)
    accepted, hours = _cases(n)
    durations = [Duration(h, "working_hours") for h in hours]
    off = frozenset(date.fromordinal(o) for o in cal.off)
    makeup = frozenset(date.fromordinal(o) for o in cal.makeup)
    naive_n = max(1, n // 20)
    for i in range(min(naive_n, 2000)):
        expected = naive_due(cal, off, makeup, accepted[i], hours[i])
        assert due_instant(axis, accepted[i], durations[i], time(17, 0)) == expected, (accepted[i], hours[i])
    cutoff = time(17, 0)
    fast = _rate(lambda: [due_instant(axis, a, d, cutoff) for a, d in zip(accepted, durations, strict=True)], n)
    slow = _rate(lambda: [naive_due(cal, off, makeup, accepted[i], hours[i]) for i in range(naive_n)], naive_n)
    return {"name": "deadline_scalar_due_per_second", "value": round(fast), "baseline": round(slow),
            "ratio": round(fast / slow, 2), "goal": SCALAR_GOAL}


def bulk_figure(cal: WorkCalendar, n: int) -> dict[str, object]:
    rnd = np.random.default_rng(11)
    accepted = (np.datetime64("2016-01-01") + rnd.integers(0, 9 * 365, n)).astype("datetime64[D]")
    days = rnd.integers(0, 60, n)
    holidays = np.array([date.fromordinal(o) for o in cal.off if date.fromordinal(o).weekday() < 5],
                        dtype="datetime64[D]")
    calendar = np.busdaycalendar(weekmask="1111100", holidays=holidays)
    ours = _rate(lambda: due_bulk(accepted, days, cal), n)
    numpy_rate = _rate(lambda: np.busday_offset(accepted, days, roll="forward", busdaycal=calendar), n)
    return {"name": "deadline_bulk_due_per_second", "value": round(ours), "baseline": round(numpy_rate),
            "ratio": round(ours / numpy_rate, 2), "goal": BULK_GOAL}


def run(n: int) -> list[dict[str, object]]:
    cal = load_calendar()
    return [scalar_figure(cal, n), bulk_figure(cal, n)]


if __name__ == "__main__":
    import json
    import sys

    for figure in run(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000):
        print(json.dumps(figure))
