"""Vietnamese civil-service working-day calendar with an administrator-owned notices overlay."""
from dunghan.calendar.loader import DEFAULT_YEARS, load_calendar
from dunghan.calendar.model import CalendarRangeError, DayOff, MakeupDay, WorkCalendar, build_calendar
from dunghan.calendar.notices import Notice, append_notice, load_notices

__all__ = [
    "DEFAULT_YEARS", "CalendarRangeError", "DayOff", "MakeupDay", "Notice", "WorkCalendar",
    "append_notice", "build_calendar", "load_calendar", "load_notices",
]
