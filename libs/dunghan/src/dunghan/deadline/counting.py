"""The working-time axis: instant <-> working seconds elapsed since the calendar's first day, O(1) both ways."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dunghan.calendar import CalendarRangeError, WorkCalendar
from dunghan.deadline.durations import Duration


def _seconds(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def parse_clock_time(text: str) -> time:
    hours, _, minutes = text.strip().partition(":")
    return time(int(hours), int(minutes or 0))


_END_OFFSETS: dict[tuple[tuple[int, int, int], ...], list[timedelta | None]] = {}


class WorkAxis:
    """Positions are integer working seconds; a whole working day is ``day`` seconds long."""

    __slots__ = ("cal", "cum", "day", "ends", "lo", "ndays", "spans", "tz", "workdays")

    def __init__(self, cal: WorkCalendar, windows: tuple[tuple[time, time], ...]) -> None:
        self.cal = cal
        self.tz = cal.tz
        self.cum, self.lo, self.workdays = cal.cum, cal.lo, cal.workdays
        spans = []
        elapsed = 0
        for start, end in windows:
            s, e = _seconds(start), _seconds(end)
            spans.append((s, e, elapsed))
            elapsed += e - s
        self.spans = tuple(spans)
        self.day = elapsed
        self.ndays = len(self.cum) - 1
        ends = _END_OFFSETS.get(self.spans)
        if ends is None:
            ends = _END_OFFSETS.setdefault(self.spans, [None] * (elapsed + 1))
        self.ends = ends  # ends[m]: time of day at which m working seconds of a day have elapsed, filled lazily

    def end_offset(self, m: int) -> timedelta:
        """Offset from midnight of the earliest moment at which ``m`` working seconds of a day have elapsed."""
        cached = self.ends[m]
        if cached is None:
            for s, e, c in self.spans:
                if m <= c + e - s:
                    cached = self.ends[m] = timedelta(seconds=s + m - c)
                    break
            else:
                raise ValueError(f"{m} is longer than a working day")
        return cached

    def within_day(self, second: int) -> int:
        done = 0
        for s, e, _ in self.spans:
            if second <= s:
                break
            done += (second if second < e else e) - s
        return done

    def position(self, at: datetime) -> int:
        local = at.astimezone(self.tz)
        o = local.toordinal()
        cum = self.cal.cum
        i = o - self.cal.lo
        k = self.cal.index_before(o)
        if cum[i + 1] == k:
            return k * self.day
        return k * self.day + self.within_day(local.hour * 3600 + local.minute * 60 + local.second)

    def day_start(self, ordinal: int) -> int:
        """Position of the opening of a day (of the next working day when it is a day off)."""
        return self.cal.index_before(ordinal) * self.day

    def _make(self, ordinal: int, second: int) -> datetime:
        d = date.fromordinal(ordinal)
        return datetime(d.year, d.month, d.day, second // 3600, second % 3600 // 60, second % 60, tzinfo=self.tz)

    def instant_end(self, pos: int) -> datetime:
        """Earliest instant at which ``pos`` working seconds have elapsed (a whole day ends at closing)."""
        k, m = divmod(pos, self.day)
        if m == 0 and k > 0:
            k, m = k - 1, self.day
        ordinal = self.cal.workday_ordinal(k)
        for s, e, c in self.spans:
            if m <= c + e - s:
                return self._make(ordinal, s + m - c)
        raise AssertionError("unreachable")

    def instant_start(self, pos: int) -> datetime:
        """Latest instant at position ``pos``: the moment counting resumes (a window opening when between)."""
        k, m = divmod(pos, self.day)
        ordinal = self.cal.workday_ordinal(k)
        for s, e, c in self.spans:
            if m < c + e - s:
                return self._make(ordinal, s + m - c)
        raise AssertionError("unreachable")

    def closing_of(self, ordinal: int) -> datetime:
        """Closing of the day, rolled forward to the next working day when it is a day off."""
        return self.instant_end((self.cal.index_before(ordinal) + 1) * self.day)

    def works(self, ordinal: int) -> bool:
        i = ordinal - self.cal.lo
        if not 0 <= i < len(self.cal.cum) - 1:  # a negative index would silently read another day
            raise CalendarRangeError(
                f"{date.fromordinal(ordinal)} ngoài phạm vi lịch {self.cal.first}–{self.cal.last}")
        return self.cal.cum[i + 1] > self.cal.cum[i]


@dataclass(frozen=True)
class Start:
    effective_ordinal: int
    pushed: bool  # acceptance moved to a later day (cut-off, outside hours or a day off)
    start_pos: int
    base_due_pos: int  # due position before pauses


def effective_acceptance(axis: WorkAxis, accepted_at: datetime, cutoff: time) -> tuple[int, bool]:
    local = accepted_at.astimezone(axis.tz)
    o = local.toordinal()
    second = local.hour * 3600 + local.minute * 60 + local.second
    if axis.works(o) and second < _seconds(cutoff):
        return o, False
    return axis.cal.workday_ordinal(axis.cal.index_before(o + 1)), True


def start_and_due(axis: WorkAxis, accepted_at: datetime, duration: Duration, cutoff: time) -> Start:
    """DOMAIN.md section 4: effective acceptance, start of counting and the due position before any pause."""
    eff, pushed = effective_acceptance(axis, accepted_at, cutoff)
    k = axis.cal.index_before(eff)
    if duration.unit == "calendar_days":
        due_ord = eff + max(0, -int(-duration.value // 1))
        due_k = axis.cal.index_before(due_ord) + 1
        return Start(eff, pushed, (k + 1) * axis.day, due_k * axis.day)
    length = duration.working_seconds(axis.day)
    if length >= axis.day:
        start = (k + 1) * axis.day
    elif pushed:
        start = k * axis.day
    else:
        start = axis.position(accepted_at)
    return Start(eff, pushed, start, start + length)


def due_instant(axis: WorkAxis, accepted_at: datetime, duration: Duration, cutoff: time) -> datetime:
    """The scalar fast path (same rule as ``start_and_due`` then ``instant_end``, inlined over cached tables)."""
    unit = duration.unit
    if unit == "calendar_days":
        return axis.instant_end(start_and_due(axis, accepted_at, duration, cutoff).base_due_pos)
    local = accepted_at.astimezone(axis.tz)
    i = local.toordinal() - axis.lo
    if not 0 <= i < axis.ndays:
        axis.cal.index_before(local.toordinal())
    cum = axis.cum
    k, after = cum[i], cum[i + 1]
    day = axis.day
    length = round(duration.value * (day if unit == "working_days" else 3600))
    second = local.hour * 3600 + local.minute * 60 + local.second
    if after == k or second >= cutoff.hour * 3600 + cutoff.minute * 60 + cutoff.second:
        pos = (after + 1) * day + length if length >= day else after * day + length
    elif length >= day:
        pos = (k + 1) * day + length
    else:
        pos = k * day + axis.within_day(second) + length
    n, m = divmod(pos, day)
    if m == 0:
        n, m = n - 1, day
    midnights = axis.cal.midnights
    midnight = midnights[n] if 0 <= n < len(midnights) else None
    if midnight is None:
        midnight = axis.cal.workday_midnight(n)
    offset = axis.ends[m]
    if offset is None:
        offset = axis.end_offset(m)
    return midnight + offset
