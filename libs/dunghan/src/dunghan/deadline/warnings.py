"""When the warnings of an open clock fire: 1 working day before, the due-day morning, overdue and daily after."""
from __future__ import annotations

from datetime import datetime

from dunghan.calendar import WorkCalendar
from dunghan.deadline.counting import WorkAxis
from dunghan.deadline.model import Clock, Rules

MAX_REPEATS = 5000


def warning_schedule(
    clock: Clock, calendar: WorkCalendar, rules: Rules = Rules(), until: datetime | None = None,
    since: datetime | None = None,
) -> list[tuple[str, datetime]]:
    """(threshold, instant) pairs in time order; repeats ``overdue+N`` only up to ``until``, and, when ``since`` is
    given, none earlier than the last repeat at or before ``since`` (a long-overdue dossier has thousands)."""
    if clock.due_at is None or clock.state in ("closed", "waiting_applicant") or clock.paused:
        return []
    axis = WorkAxis(calendar, rules.windows)
    due_pos = axis.position(clock.due_at)
    due_ordinal = clock.due_at.astimezone(calendar.tz).toordinal()
    out: list[tuple[str, datetime]] = []
    if rules.warn_before_working_days > 0:
        before = due_pos - round(rules.warn_before_working_days * axis.day)
        if before > 0:
            out.append(("d-1", axis.instant_end(before)))
    if rules.warn_due_day_morning:
        opening = axis.instant_start(axis.day_start(due_ordinal))
        if opening < clock.due_at:
            out.append(("due_day", opening))
    out.append(("overdue", clock.due_at))
    if rules.overdue_repeat_daily and until is not None:
        base = calendar.index_before(due_ordinal) + (1 if axis.works(due_ordinal) else 0)
        first = 1
        if since is not None and since > clock.due_at:
            first = max(1, axis.position(since) // axis.day - base + 1)
        for n in range(first, first + MAX_REPEATS):
            at = axis.instant_start((base + n - 1) * axis.day)
            if at > until:
                break
            out.append((f"overdue+{n}", at))
    return sorted(out, key=lambda item: item[1])
