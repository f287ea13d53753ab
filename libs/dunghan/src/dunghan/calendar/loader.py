"""Loads the calendar: the `holidays` package (VN, Vietnamese names) plus the notices file."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import holidays as holidays_pkg

from dunghan.calendar.model import WorkCalendar, build_calendar
from dunghan.calendar.notices import read_notice_file
from dunghan.clock import LOCAL_TZ

DEFAULT_YEARS = range(2000, 2051)


def package_days(years: range) -> tuple[dict[date, str], frozenset[date]]:
    table = holidays_pkg.country_holidays("VN", years=years, language="vi")
    makeup = frozenset(d for d in getattr(table, "weekend_workdays", ()) if d.year in years)
    return dict(table.items()), makeup


def load_calendar(notices_file: str | Path | None = None, years: range | None = None) -> WorkCalendar:
    """``notices_file`` None = the packaged notices; ``years`` None = 2000–2050."""
    span = years or DEFAULT_YEARS
    file = read_notice_file(notices_file)
    days, makeup = package_days(span)
    return build_calendar(
        holidays=days, package_makeup=makeup, notices=file.notices, first_year=span[0], last_year=span[-1],
        file_version=file.version, holidays_version=holidays_pkg.__version__, tz=LOCAL_TZ,
    )
