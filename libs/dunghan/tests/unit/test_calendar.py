"""The working-day calendar: known 2017/2019/2024 days, the notices overlay, versions and the notices file."""
from __future__ import annotations

from datetime import date

import pytest

from dunghan.calendar import CalendarRangeError, Notice, append_notice, load_calendar, load_notices

CAL = load_calendar()


@pytest.mark.parametrize("day", [
    date(2017, 1, 2), date(2017, 1, 26), date(2017, 1, 27), date(2017, 1, 30), date(2017, 1, 31),
    date(2017, 2, 1), date(2017, 4, 6), date(2017, 5, 1), date(2017, 5, 2), date(2017, 9, 4),
    date(2024, 2, 8), date(2024, 2, 14), date(2024, 4, 29), date(2024, 4, 30), date(2024, 5, 1),
    date(2017, 12, 30), date(2017, 12, 31),
])
def test_known_days_off_are_not_working_days(day: date) -> None:
    assert not CAL.is_working_day(day)


@pytest.mark.parametrize("day", [date(2019, 1, 5), date(2019, 5, 4), date(2024, 5, 4)])
def test_make_up_saturdays_are_working_days(day: date) -> None:
    assert day.weekday() == 5
    assert CAL.is_working_day(day)


@pytest.mark.parametrize(("start", "n", "expected"), [
    (date(2017, 1, 25), 3, date(2017, 2, 6)),
    (date(2017, 4, 28), 5, date(2017, 5, 9)),
    (date(2024, 4, 26), 3, date(2024, 5, 4)),
    (date(2017, 8, 31), 2, date(2017, 9, 5)),
    (date(2017, 12, 29), 1, date(2018, 1, 2)),
    (date(2017, 1, 25), 0, date(2017, 1, 25)),
])
def test_add_working_days_matches_domain_examples(start: date, n: int, expected: date) -> None:
    assert CAL.add_working_days(start, n) == expected


def test_phase_one_of_2017_holds_84_working_days() -> None:
    assert CAL.working_days_in(date(2017, 3, 1), date(2017, 6, 29)) == 84
    assert CAL.working_days_between(date(2017, 2, 28), date(2017, 6, 29)) == 84


def test_working_days_between_is_signed() -> None:
    assert CAL.working_days_between(date(2017, 2, 6), date(2017, 1, 25)) == -3
    assert CAL.working_days_between(date(2017, 1, 25), date(2017, 1, 25)) == 0


def test_next_and_previous_working_day() -> None:
    assert CAL.next_working_day(date(2017, 1, 25)) == date(2017, 2, 2)
    assert CAL.previous_working_day(date(2017, 2, 2)) == date(2017, 1, 25)


def test_days_off_name_their_kind_and_notices_win_over_the_package() -> None:
    off = {d.date: d for d in CAL.days_off(date(2017, 1, 25), date(2017, 2, 6))}
    assert off[date(2017, 1, 26)].kind == "notice"
    assert "9794/VPCP-KGVX" in off[date(2017, 1, 26)].reference
    assert off[date(2017, 1, 28)].kind == "holiday"
    assert off[date(2017, 2, 4)].kind == "weekend"
    assert len(off) == 9


def test_overlapping_package_and_notice_days_are_counted_once() -> None:
    assert CAL.working_days_in(date(2017, 1, 23), date(2017, 2, 3)) == 5


def test_a_new_off_notice_removes_a_working_day_and_changes_the_version() -> None:
    extra = Notice(date(2017, 3, 8), "off", "Nghỉ thử", "Thông báo thử", date(2017, 3, 1))
    changed = CAL.with_notices([extra])
    assert not changed.is_working_day(date(2017, 3, 8))
    assert CAL.is_working_day(date(2017, 3, 8))
    assert changed.version != CAL.version
    assert changed.working_days_in(date(2017, 3, 1), date(2017, 6, 29)) == 83


def test_a_makeup_notice_turns_a_saturday_into_a_working_day() -> None:
    extra = Notice(date(2017, 3, 11), "makeup", "Làm bù thử", "Thông báo thử", date(2017, 3, 1))
    assert CAL.with_notices([extra]).is_working_day(date(2017, 3, 11))


def test_as_of_ignores_notices_not_yet_in_force() -> None:
    extra = Notice(date(2017, 3, 8), "off", "Nghỉ thử", "Thông báo thử", date(2017, 3, 5))
    cal = CAL.with_notices([extra])
    assert cal.as_of(date(2017, 3, 4)).is_working_day(date(2017, 3, 8))
    assert not cal.as_of(date(2017, 3, 5)).is_working_day(date(2017, 3, 8))


def test_version_names_file_version_package_version_and_notices_hash() -> None:
    file_version, package, digest = CAL.version.split("+")
    assert file_version == "2024.1"
    assert package.startswith("holidays-")
    assert len(digest) == 8


def test_packaged_notices_carry_references_and_effective_dates() -> None:
    notices = load_notices()
    assert {n.date for n in notices} >= {date(2017, 1, 26), date(2019, 1, 5), date(2024, 5, 4)}
    assert all(n.reference and n.effective_from for n in notices)


def test_append_notice_seeds_a_new_file_from_the_packaged_one_and_round_trips(tmp_path) -> None:
    path = tmp_path / "notices.yaml"
    notice = Notice(date(2030, 1, 2), "off", "Nghỉ bù Tết Dương lịch", "Thông báo số 1/TB", date(2029, 12, 1))
    append_notice(path, notice)
    loaded = load_notices(path)
    assert loaded[-1] == notice
    assert len(loaded) == len(load_notices()) + 1
    cal = load_calendar(path)
    assert not cal.is_working_day(date(2030, 1, 2))
    assert cal.version != CAL.version


def test_invalid_notice_kind_is_refused() -> None:
    with pytest.raises(ValueError):
        Notice(date(2030, 1, 2), "holiday", "x", "y", date(2030, 1, 1))


def test_dates_outside_the_calendar_raise() -> None:
    small = load_calendar(years=range(2017, 2018))
    with pytest.raises(CalendarRangeError):
        small.is_working_day(date(2019, 1, 1))
