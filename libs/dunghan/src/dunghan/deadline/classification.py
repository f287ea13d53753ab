"""Early / on time / late on dates (DOMAIN.md section 5), the signed working-day difference, open states."""
from __future__ import annotations

from datetime import date, datetime

from dunghan.calendar import WorkCalendar
from dunghan.deadline.counting import WorkAxis
from dunghan.deadline.model import Rules

INELIGIBLE = frozenset({"withdrawn", "refused", "returned"})
RETURNED = "returned"


def stop_reason_of(kind: str, decision: str | None) -> str:
    """The reason a clock stopped: a result that refuses the dossier (trả lại vì không đủ điều kiện) is a return,
    counted like a withdrawal (DOMAIN.md section 5), not as a result delivered early or on time."""
    if kind in ("result_ready", "result_returned") and decision == "refused":
        return RETURNED
    return kind


def outcome_on_dates(result: date, due: date | None) -> str:
    if due is None or result == due:
        return "on_time"
    return "early" if result < due else "late"


def working_days_diff(cal: WorkCalendar, result: date, due: date) -> int:
    """Signed: negative = early by that many working days, positive = late; never 0 when the dates differ."""
    diff = cal.working_days_between(due, result)
    if result > due:
        return max(diff, 1)
    if result < due:
        return min(diff, -1)
    return 0


def classify(
    cal: WorkCalendar, stop_reason: str, stopped_at: datetime, original_due: datetime | None,
    violations: tuple[str, ...], rules: Rules,
) -> tuple[str, int]:
    result = stopped_at.astimezone(cal.tz).date()
    due = original_due.astimezone(cal.tz).date() if original_due else None
    outcome = outcome_on_dates(result, due)
    diff = working_days_diff(cal, result, due) if due else 0
    if stop_reason in INELIGIBLE and rules.ineligible_on_time:
        # Mẫu 06a: "Đúng hạn (bao gồm cả hồ sơ trả lại/xin rút)". On time by definition, so the day difference is
        # 0: the dossier was neither early nor late, it left the procedure.
        return "on_time", 0
    if "second_supplement_request" in violations and rules.second_supplement_is_late:
        return "late", max(diff, 1)
    return outcome, diff


def open_state(axis: WorkAxis, now: datetime, due_at: datetime, paused: bool, rules: Rules) -> str:
    if paused:
        return "waiting_applicant"
    if now > due_at:
        return "overdue"
    remaining = axis.position(due_at) - axis.position(now)
    if remaining <= rules.warn_before_working_days * axis.day:
        return "due_soon"
    return "in_time"


def step_outcome(tz_date_end: date, tz_date_due: date, ended: datetime, due: datetime) -> str:
    if ended > due:
        return "late"
    return "early" if tz_date_end < tz_date_due else "on_time"
