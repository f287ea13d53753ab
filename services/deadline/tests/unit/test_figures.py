from __future__ import annotations

from datetime import date, datetime, timedelta

from deadline.figures import OpenClock, age_bucket, open_figures
from dunghan.clock import LOCAL_TZ

NOW = datetime(2024, 5, 9, 10, tzinfo=LOCAL_TZ)


def clock(code: str, due: datetime, unit: str = "P1", field: str = "dien", paused: bool = False) -> OpenClock:
    return OpenClock(code, "SCT", unit, field, due, due.date(), paused, f"P-{field}")


def test_figures_of_the_operators_day() -> None:
    clocks = [
        clock("today", datetime(2024, 5, 9, 17, tzinfo=LOCAL_TZ)),
        clock("tomorrow", datetime(2024, 5, 10, 17, tzinfo=LOCAL_TZ), unit="P2"),
        clock("passed-this-morning", datetime(2024, 5, 9, 8, tzinfo=LOCAL_TZ)),
        clock("old", NOW - timedelta(days=40), field="hoa_chat"),
        clock("waiting", NOW - timedelta(days=2), paused=True),
    ]
    f = open_figures(clocks, NOW)
    assert f.due_by_day == {("SCT", "P1", "today"): 1, ("SCT", "P2", "tomorrow"): 1}
    assert f.overdue_by_field == {("SCT", "dien"): 1, ("SCT", "hoa_chat"): 1}
    assert f.overdue_by_procedure == {("SCT", "P-dien"): 1, ("SCT", "P-hoa_chat"): 1}
    assert f.overdue_by_age == {("SCT", "0-1d"): 1, ("SCT", "30d+"): 1}
    assert f.overdue_recent == {("SCT", "P1"): 1}  # the 40-day-old one came with a history load, not live
    assert [c.code for c, _ in f.oldest] == ["old", "passed-this-morning"]
    assert f.label_sets == {("SCT", "P1", "dien"), ("SCT", "P2", "dien"), ("SCT", "P1", "hoa_chat")}


def test_age_buckets_and_local_days() -> None:
    assert [age_bucket(d * 86400) for d in (0.5, 2, 5, 10, 31)] == ["0-1d", "1-3d", "3-7d", "7-30d", "30d+"]
    late_evening = datetime(2024, 5, 9, 23, 30, tzinfo=LOCAL_TZ)
    due = late_evening + timedelta(hours=1)
    f = open_figures([OpenClock("x", "SCT", "P1", "", due, date(2024, 5, 10), False)], late_evening)
    assert f.due_by_day == {("SCT", "P1", "tomorrow"): 1}
