"""The working-day calendar: weekends, statutory holidays, make-up Saturdays and the official notices overlay."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

import numpy as np

from dunghan.calendar.notices import Notice, effective, notices_digest
from dunghan.clock import LOCAL_TZ

EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
WEEKEND_NAMES = {5: "Thứ Bảy", 6: "Chủ nhật"}


class CalendarRangeError(ValueError):
    """A date outside the years the calendar was built for."""


@dataclass(frozen=True)
class DayOff:
    date: date
    name: str
    kind: str  # weekend | holiday | notice
    reference: str = ""


@dataclass(frozen=True)
class MakeupDay:
    date: date
    name: str
    reference: str = ""


@dataclass(frozen=True, eq=False)
class WorkCalendar:
    """Immutable; every look-up is O(1) through a prefix count of working days over the covered years."""

    version: str
    tz: ZoneInfo
    first: date
    last: date
    file_version: str
    holidays_version: str
    notices: tuple[Notice, ...]
    holidays: Mapping[date, str] = field(repr=False)
    package_makeup: frozenset[date] = field(repr=False)
    off: Mapping[int, DayOff] = field(repr=False)
    makeup: Mapping[int, MakeupDay] = field(repr=False)
    lo: int = field(repr=False)
    cum: Sequence[int] = field(repr=False)  # cum[i] = working days in [lo, lo + i)
    workdays: Sequence[int] = field(repr=False)  # ordinals of the working days, ascending
    np_cum: np.ndarray = field(repr=False)
    np_work: np.ndarray = field(repr=False)
    np_workdays: np.ndarray = field(repr=False)  # datetime64[D] as int64 days since 1970-01-01

    def _offset(self, d: date) -> int:
        i = d.toordinal() - self.lo
        if i < 0 or i >= len(self.cum) - 1:
            raise CalendarRangeError(f"{d.isoformat()} ngoài phạm vi lịch {self.first}–{self.last}")
        return i

    def is_working_day(self, d: date) -> bool:
        i = self._offset(d)
        return self.cum[i + 1] > self.cum[i]

    def index_before(self, ordinal: int) -> int:
        """Number of working days strictly before the day with this ordinal (within the covered range)."""
        i = ordinal - self.lo
        if i < 0 or i >= len(self.cum) - 1:
            raise CalendarRangeError(f"{date.fromordinal(ordinal)} ngoài phạm vi lịch {self.first}–{self.last}")
        return self.cum[i]

    def workday_ordinal(self, k: int) -> int:
        if k < 0 or k >= len(self.workdays):
            raise CalendarRangeError(f"ngày làm việc thứ {k} ngoài phạm vi lịch {self.first}–{self.last}")
        return self.workdays[k]

    @cached_property
    def midnights(self) -> list[datetime | None]:
        """Cache behind ``workday_midnight``: slot k holds 00:00 of the k-th working day once it was asked for."""
        return [None] * len(self.workdays)

    def workday_midnight(self, k: int) -> datetime:
        """00:00 (aware, in ``tz``) of the k-th working day; built once, then served from ``midnights``."""
        ordinal = self.workday_ordinal(k)
        cached = self.midnights[k]
        if cached is None:
            d = date.fromordinal(ordinal)
            cached = self.midnights[k] = datetime(d.year, d.month, d.day, tzinfo=self.tz)
        return cached

    def add_working_days(self, d: date, n: int) -> date:
        if n < 0:
            raise ValueError("n must be >= 0")
        if n == 0:
            return d
        i = self._offset(d)
        return date.fromordinal(self.workday_ordinal(self.cum[i + 1] + n - 1))

    def next_working_day(self, d: date) -> date:
        return self.add_working_days(d, 1)

    def previous_working_day(self, d: date) -> date:
        return date.fromordinal(self.workday_ordinal(self.cum[self._offset(d)] - 1))

    def working_days_between(self, a: date, b: date) -> int:
        return self.cum[self._offset(b) + 1] - self.cum[self._offset(a) + 1]

    def working_days_in(self, start: date, end: date) -> int:
        """Working days in [start, end], both ends included."""
        return self.cum[self._offset(end) + 1] - self.cum[self._offset(start)]

    def days_off(self, start: date, end: date) -> list[DayOff]:
        self._offset(start), self._offset(end)
        return [self.off[o] for o in range(start.toordinal(), end.toordinal() + 1) if o in self.off]

    def makeup_days(self, start: date, end: date) -> list[MakeupDay]:
        self._offset(start), self._offset(end)
        return [self.makeup[o] for o in range(start.toordinal(), end.toordinal() + 1) if o in self.makeup]

    def version_label(self, first: date, last: date | None = None) -> str:
        """The calendar version in force for the years of ``first``..``last``: the notices of those years only,
        so a 2017 deadline names the 2017 days off it used, not the newest file's version."""
        last = last or first
        years = f"năm {first.year}" if first.year == last.year else f"năm {first.year}–{last.year}"
        kept = [n for n in self.notices if first.year <= n.date.year <= last.year]
        published = max((n.effective_from for n in kept), default=None)
        notes = f"thông báo ngày nghỉ, làm bù ban hành đến {published:%d/%m/%Y}; " if published else ""
        return (f"{years}, phiên bản {first.year}.{notices_digest(kept)} "
                f"({notes}gói holidays {self.holidays_version})")

    def with_notices(self, notices: Sequence[Notice]) -> WorkCalendar:
        return build_calendar(
            holidays=self.holidays, package_makeup=self.package_makeup, notices=(*self.notices, *notices),
            first_year=self.first.year, last_year=self.last.year, file_version=self.file_version,
            holidays_version=self.holidays_version, tz=self.tz,
        )

    def as_of(self, day: date) -> WorkCalendar:
        """The calendar as it stood on ``day``: only notices whose ``effective_from`` is on or before it."""
        return build_calendar(
            holidays=self.holidays, package_makeup=self.package_makeup, notices=effective(self.notices, day),
            first_year=self.first.year, last_year=self.last.year, file_version=self.file_version,
            holidays_version=self.holidays_version, tz=self.tz,
        )


def _classify(
    day: date, notices: Mapping[date, Notice], holidays: Mapping[date, str], package_makeup: frozenset[date]
) -> DayOff | MakeupDay | None:
    notice = notices.get(day)
    if notice is not None:
        if notice.kind == "off":
            return DayOff(day, notice.name, "notice", notice.reference)
        return MakeupDay(day, notice.name, notice.reference)
    if day in holidays:
        return DayOff(day, holidays[day], "holiday")
    if day in package_makeup:
        return MakeupDay(day, "Ngày làm bù", "gói holidays (weekend_workdays)")
    if day.weekday() >= 5:
        return DayOff(day, WEEKEND_NAMES[day.weekday()], "weekend")
    return None


def build_calendar(
    *,
    holidays: Mapping[date, str],
    package_makeup: frozenset[date],
    notices: Sequence[Notice],
    first_year: int,
    last_year: int,
    file_version: str,
    holidays_version: str,
    tz: ZoneInfo = LOCAL_TZ,
) -> WorkCalendar:
    """Pure: builds the lookup tables from already-loaded data."""
    first, last = date(first_year, 1, 1), date(last_year, 12, 31)
    by_date = {n.date: n for n in effective(notices, None)}
    off: dict[int, DayOff] = {}
    makeup: dict[int, MakeupDay] = {}
    cum = [0]
    workdays: list[int] = []
    day = first
    while day <= last:
        o = day.toordinal()
        kind = _classify(day, by_date, holidays, package_makeup)
        if isinstance(kind, DayOff):
            off[o] = kind
            cum.append(cum[-1])
        else:
            if kind is not None:
                makeup[o] = kind
            workdays.append(o)
            cum.append(cum[-1] + 1)
        day += timedelta(days=1)
    np_cum = np.asarray(cum, dtype=np.int64)
    np_work = np.diff(np_cum).astype(bool)
    np_workdays = np.asarray(workdays, dtype=np.int64) - EPOCH_ORDINAL
    for arr in (np_cum, np_work, np_workdays):
        arr.setflags(write=False)
    kept = tuple(n for n in notices if first <= n.date <= last)
    version = f"{file_version}+holidays-{holidays_version}+{notices_digest(kept)}"
    return WorkCalendar(
        version=version, tz=tz, first=first, last=last, file_version=file_version,
        holidays_version=holidays_version, notices=tuple(notices), holidays=dict(holidays),
        package_makeup=package_makeup, off=off, makeup=makeup, lo=first.toordinal(), cum=tuple(cum),
        workdays=tuple(workdays), np_cum=np_cum, np_work=np_work, np_workdays=np_workdays,
    )
