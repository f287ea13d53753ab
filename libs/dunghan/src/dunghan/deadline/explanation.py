"""The facts behind a due instant, as Vietnamese lines for staff (built only when a screen shows them)."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dunghan.calendar import WorkCalendar
from dunghan.deadline.classification import INELIGIBLE
from dunghan.deadline.counting import Start, WorkAxis
from dunghan.deadline.durations import Duration
from dunghan.deadline.model import ClockEvent, Pause

WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
OFF_KINDS = {"weekend": "nghỉ hằng tuần", "holiday": "ngày lễ, Tết", "notice": "nghỉ theo thông báo"}
PAUSE_KINDS = {"supplement": "chờ bổ sung hồ sơ", "fee": "chờ thực hiện nghĩa vụ tài chính"}
STOP_REASONS = {
    "result_ready": "đã có kết quả", "result_returned": "đã trả kết quả", "withdrawn": "công dân xin rút hồ sơ",
    "stopped": "dừng xử lý", "refused": "trả lại do không đủ điều kiện",
    "returned": "trả lại hồ sơ do không đủ điều kiện giải quyết",
}
APOLOGY_PROBLEMS = {
    "late_apology": "ban hành muộn: phải trước hạn ít nhất {n} ngày làm việc",
    "second_apology": "lần thứ hai: chỉ được hẹn lại một lần, ngày hẹn mới không được áp dụng",
}
STATES = {
    "in_time": "đang trong hạn", "due_soon": "sắp đến hạn", "overdue": "đã quá hạn",
    "waiting_applicant": "đang chờ công dân bổ sung, tạm dừng tính thời gian",
}


@functools.lru_cache(maxsize=8192)
def day_label(d: date) -> str:
    return f"{WEEKDAYS[d.weekday()]} {d:%d/%m/%Y}"


def instant_label(at: datetime, tz: object) -> str:
    local = at.astimezone(tz)  # type: ignore[arg-type]
    return f"{local:%H:%M} {day_label(local.date())}"


def number(value: float) -> str:
    return f"{round(value, 2):g}".replace(".", ",")


@dataclass(frozen=True)
class Facts:
    """What ``compute_clock`` found, kept so the explanation can be built later, when a screen asks for it."""

    calendar: WorkCalendar
    axis: WorkAxis
    accepted_at: datetime
    duration: Duration
    statutory: Duration
    cutoff: time
    start: Start
    pauses: tuple[Pause, ...]
    apologies: tuple[tuple[ClockEvent, str | None], ...]
    original_due_at: datetime
    due_at: datetime
    stop: ClockEvent | None
    stop_reason: str | None
    outcome: str | None
    diff: int | None
    violations: tuple[str, ...]
    state: str
    apology_min_working_days: float = 1.0


def _head(f: Facts) -> list[str]:
    tz = f.calendar.tz
    first, last = f.accepted_at.astimezone(tz).date(), f.original_due_at.astimezone(tz).date()
    version = f.calendar.version_label(first, last)
    lines = [f"Lịch làm việc {version}.",
             f"Tiếp nhận lúc {instant_label(f.accepted_at, tz)}."]
    statutory = "" if f.statutory == f.duration else f" (thời hạn theo quy định: {f.statutory.label()})"
    lines.append(f"Thời hạn giải quyết cam kết: {f.duration.label()}{statutory}.")
    eff = day_label(date.fromordinal(f.start.effective_ordinal))
    if f.start.pushed:
        lines.append(f"Tiếp nhận sau giờ chốt {f.cutoff:%H:%M}, ngoài giờ hoặc vào ngày nghỉ: "
                     f"ngày tiếp nhận tính là {eff}.")
    else:
        lines.append(f"Tiếp nhận trước giờ chốt {f.cutoff:%H:%M}: ngày tiếp nhận tính là {eff}.")
    if f.duration.unit == "calendar_days":
        lines.append("Tính theo ngày lịch từ ngày sau ngày tiếp nhận; hạn rơi vào ngày nghỉ thì chuyển sang "
                     "ngày làm việc kế tiếp.")
    else:
        lines.append(f"Bắt đầu tính thời hạn từ {instant_label(f.axis.instant_start(f.start.start_pos), tz)}.")
    return lines


def _calendar_days(f: Facts) -> list[str]:
    tz = f.calendar.tz
    first = f.accepted_at.astimezone(tz).date()
    last = f.original_due_at.astimezone(tz).date()
    if f.duration.unit == "calendar_days":
        first = date.fromordinal(f.start.effective_ordinal) + timedelta(days=int(-(-f.duration.value // 1)))
    lines = []
    for off in f.calendar.days_off(first, last):
        ref = f"; {off.reference}" if off.reference else ""
        lines.append(f"Không tính {day_label(off.date)}: {off.name} ({OFF_KINDS[off.kind]}{ref}).")
    for extra in f.calendar.makeup_days(first, last):
        ref = f" ({extra.reference})" if extra.reference else ""
        lines.append(f"Tính {day_label(extra.date)} là ngày làm việc bù: {extra.name}{ref}.")
    return lines


def _pauses(f: Facts) -> list[str]:
    tz = f.calendar.tz
    lines = []
    for p in f.pauses:
        end = instant_label(p.end, tz) if p.end else "nay"
        lines.append(f"Tạm dừng {PAUSE_KINDS[p.kind]} từ {instant_label(p.start, tz)} đến {end}: "
                     f"{number(p.working_seconds / 3600)} giờ làm việc không tính, hạn lùi tương ứng.")
    return lines


def _tail(f: Facts) -> list[str]:
    tz = f.calendar.tz
    lines = [f"Hạn giải quyết: {instant_label(f.original_due_at, tz)}."]
    for apology, problem in f.apologies:
        new = day_label(apology.new_due_date) if apology.new_due_date else "không rõ"
        note = ""
        if problem:
            note = "; " + APOLOGY_PROBLEMS[problem].format(n=number(f.apology_min_working_days))
        lines.append(f"Văn bản xin lỗi ngày {day_label(apology.at.astimezone(tz).date())}, hẹn lại {new}{note}. "
                     "Phân loại đúng/trễ hạn vẫn theo hạn ban đầu.")
    if f.due_at != f.original_due_at:
        lines.append(f"Hạn hẹn lại với công dân: {instant_label(f.due_at, tz)}.")
    if "second_supplement_request" in f.violations:
        lines.append("Yêu cầu bổ sung hồ sơ lần thứ hai: vi phạm quy định chỉ yêu cầu bổ sung một lần, "
                     "hồ sơ tính là trễ hạn trong Bộ chỉ số.")
    if f.stop is not None:
        reason = STOP_REASONS.get(f.stop_reason or f.stop.kind, f.stop.kind)
        lines.append(f"Kết thúc lúc {instant_label(f.stop.at, tz)} ({reason}): {_verdict(f)}.")
    else:
        lines.append(f"Trạng thái: {STATES[f.state]}.")
    return lines


INELIGIBLE_WHY = {
    "withdrawn": "hồ sơ công dân xin rút",
    "refused": "hồ sơ trả lại do không đủ điều kiện",
    "returned": "hồ sơ trả lại do không đủ điều kiện (từ chối sau thẩm định)",
}


def _verdict(f: Facts) -> str:
    days = abs(f.diff or 0)
    assert f.stop is not None
    tz = f.calendar.tz
    result = f.stop.at.astimezone(tz).date()
    due = f.original_due_at.astimezone(tz).date()
    kind = f.stop_reason if f.stop_reason in INELIGIBLE else f.stop.kind
    if kind in INELIGIBLE_WHY and f.outcome == "on_time":
        return (f"đúng hạn: {INELIGIBLE_WHY[kind]} được tính là đúng hạn theo Mẫu 06a/VPCP/KSTT (cột Đúng hạn "
                f"bao gồm cả hồ sơ trả lại/xin rút), không so ngày kết thúc {day_label(result)} với hạn "
                f"{day_label(due)}")
    if f.outcome == "late" and "second_supplement_request" in f.violations and result <= due:
        return (f"trễ hạn: kết quả có {'trước hạn' if result < due else 'đúng ngày hạn'} nhưng hồ sơ đã bị yêu "
                "cầu bổ sung lần thứ hai (chỉ được yêu cầu bổ sung một lần), nên tính là trễ hạn trong Bộ chỉ số; "
                f"chênh lệch ghi nhận +{days} ngày làm việc theo quy ước")
    if f.outcome == "early":
        return f"trước hạn {days} ngày làm việc"
    if f.outcome == "late":
        return f"trễ hạn {days} ngày làm việc"
    return "đúng hạn"


def explain(f: Facts) -> tuple[str, ...]:
    return (*_head(f), *_calendar_days(f), *_pauses(f), *_tail(f))


def explain_unaccepted(calendar: WorkCalendar, refused: ClockEvent | None) -> tuple[str, ...]:
    """A dossier with no clock: not accepted yet, or refused at intake."""
    day = refused.at.astimezone(calendar.tz).date() if refused else None
    version = calendar.version_label(day) if day else f"phiên bản {calendar.version}"
    return (f"Lịch làm việc {version}.",
            "Hồ sơ không được tiếp nhận: không tính thời hạn." if refused else "Hồ sơ chưa được tiếp nhận.")
