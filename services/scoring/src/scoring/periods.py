"""Reporting periods: any from/to range, and the official cut-offs of Nghị định 09/2019/NĐ-CP (Điều 12)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from dunghan.clock import LOCAL_TZ
from scoring.errors import Refused

FIRST_YEAR, LAST_YEAR = 1990, 2100
PERIOD_PATTERN = re.compile(r"^(?P<year>\d{4})(?:-(?:Q(?P<q>[1-4])|H(?P<h>[12])|M(?P<m>0[1-9]|1[0-2])))?$")
PERIOD_HELP = ("kỳ báo cáo: YYYY (năm), YYYY-H1 / YYYY-H2 (6 tháng), YYYY-Q1..Q4 (quý), YYYY-Mmm (tháng) "
               "theo Nghị định 09/2019/NĐ-CP")


class PeriodError(Refused, ValueError):
    """A period that cannot be read; ``field`` names the query parameter."""


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    label: str = ""

    def bounds(self, tz: tzinfo = LOCAL_TZ) -> tuple[datetime, datetime]:
        """[start, end) as instants: local midnight of the first day to local midnight after the last."""
        after = self.end + timedelta(days=1)
        return datetime.combine(self.start, time(), tz), datetime.combine(after, time(), tz)

    def end_instant(self, tz: tzinfo = LOCAL_TZ) -> datetime:
        return datetime.combine(self.end, time(), tz)

    @property
    def title(self) -> str:
        """Vietnamese wording for the form's period block."""
        span = f"từ ngày {self.start:%d/%m/%Y} đến ngày {self.end:%d/%m/%Y}"
        return f"{self.label} ({span})" if self.label else f"Kỳ báo cáo {span}"


def _cut(year: int, month: int, day: int) -> date:
    """The 15th / 14th of a month, where month 0 is December of the year before."""
    return date(year - 1, 12, day) if month == 0 else date(year, month, day)


def official_period(text: str) -> Period:
    """``2017`` (15/12/2016–14/12/2017), ``2017-H1`` (15/12/2016–14/06/2017), ``2017-H2`` (15/06–14/12/2017),
    ``2017-Q2`` (15/03–14/06/2017), ``2017-M05`` (15/04–14/05/2017): each from the 15th of the month before its
    first month to the 14th of its last month (Nghị định 09/2019/NĐ-CP, Điều 12)."""
    m = PERIOD_PATTERN.match(text.strip())
    if m is None:
        raise PeriodError("period", f"không đọc được kỳ báo cáo {text!r}; {PERIOD_HELP}")
    year = int(m["year"])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PeriodError("period", f"năm ngoài phạm vi {FIRST_YEAR}–{LAST_YEAR}")
    if m["q"]:
        q = int(m["q"])
        first, last, label = 3 * q - 2, 3 * q, f"Quý {['I', 'II', 'III', 'IV'][q - 1]} năm {year}"
    elif m["h"]:
        h = int(m["h"])
        first, last, label = 6 * h - 5, 6 * h, f"6 tháng {'đầu' if h == 1 else 'cuối'} năm {year}"
    elif m["m"]:
        first = last = int(m["m"])
        label = f"Tháng {first} năm {year}"
    else:
        first, last, label = 1, 12, f"Năm {year}"
    return Period(_cut(year, first - 1, 15), _cut(year, last, 14), label)


def period_of(*, period: str | None = None, start: date | None = None, end: date | None = None) -> Period:
    """Either an official period or both dates (inclusive); never both, never neither."""
    if period:
        if start or end:
            raise PeriodError("period", "chỉ dùng period hoặc cặp from/to, không dùng cả hai")
        return official_period(period)
    if start is None or end is None:
        raise PeriodError("from" if start is None else "to", f"cần from và to, hoặc period ({PERIOD_HELP})")
    for name, day in (("from", start), ("to", end)):
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise PeriodError(name, f"năm ngoài phạm vi {FIRST_YEAR}–{LAST_YEAR}")
    if end < start:
        raise PeriodError("to", "ngày kết thúc trước ngày bắt đầu")
    return Period(start, end)
