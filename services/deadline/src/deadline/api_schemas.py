"""The HTTP API's shapes: request and response schemas (documented in /openapi.json) and the dicts they dump."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from marshmallow import Schema, fields, validate

from deadline.domain import Dossier
from dunghan.calendar import WorkCalendar
from dunghan.contract import strict
from dunghan.contract.events import ProcedureUpdated
from dunghan.deadline import Clock
from dunghan.deadline.explanation import instant_label


class ListQuery(Schema):
    agency = fields.String(load_default=None)
    unit = fields.String(load_default=None)
    officer = fields.String(load_default=None)


class DueQuery(ListQuery):
    within = strict.QueryInteger(load_default=1, validate=validate.Range(min=0, max=60))


class DossierSummary(Schema):
    code = fields.String()
    agency = fields.String()
    unit = fields.String()
    officer = fields.String()
    procedure_code = fields.String(allow_none=True)
    procedure_name = fields.String(allow_none=True)
    due_at = fields.DateTime(allow_none=True)
    due_date = fields.Date(allow_none=True)
    original_due_at = fields.DateTime(allow_none=True)
    state = fields.String()
    appointment_at = fields.DateTime(allow_none=True, metadata={"description": "Ngày hẹn trên giấy tiếp nhận"})
    appointment_mismatch = fields.Boolean(metadata={"description": "Ngày hẹn khác hạn tính theo quy định"})


class StepOut(Schema):
    step = fields.String()
    unit = fields.String(allow_none=True)
    officer = fields.String(allow_none=True)
    started_at = fields.DateTime(allow_none=True)
    due_at = fields.DateTime(allow_none=True)
    ended_at = fields.DateTime(allow_none=True)
    outcome = fields.String(allow_none=True)


class ClockOut(DossierSummary):
    procedure_version = fields.Integer(allow_none=True)
    accepted_at = fields.DateTime(allow_none=True)
    start_at = fields.DateTime(allow_none=True)
    paused = fields.Boolean()
    paused_working_hours = fields.Float(allow_none=True)
    stopped_at = fields.DateTime(allow_none=True)
    stop_reason = fields.String(allow_none=True)
    outcome = fields.String(allow_none=True)
    working_days_diff = fields.Integer(allow_none=True)
    resolution_working_hours = fields.Float(allow_none=True)
    supplement_requests = fields.Integer()
    apologies = fields.Integer()
    violations = fields.List(fields.String())
    steps = fields.List(fields.Nested(StepOut))
    calendar_version = fields.String()
    classification = fields.Dict(allow_none=True)
    explanation = fields.List(fields.String())


class DueDateQuery(Schema):
    procedure = fields.String(required=True, validate=validate.Length(min=1, max=64),
                              metadata={"description": "Mã thủ tục trong danh mục"})
    accepted_at = fields.AwareDateTime(required=True, metadata={"description": "Thời điểm tiếp nhận dự kiến"})
    channel = fields.Integer(load_default=None, validate=validate.OneOf([1, 2, 3]),
                             metadata={"description": "1 trực tiếp, 2 trực tuyến, 3 bưu chính công ích"})


class DueDateOut(Schema):
    procedure_code = fields.String()
    procedure_version = fields.Integer()
    procedure_name = fields.String()
    committed_value = fields.Float()
    committed_unit = fields.String()
    accepted_at = fields.DateTime()
    effective_acceptance_date = fields.Date()
    start_at = fields.DateTime()
    due_at = fields.DateTime(metadata={"description": "Thời điểm hẹn trả kết quả (in trên giấy tiếp nhận)"})
    due_date = fields.Date()
    calendar_version = fields.String()
    receipt_text = fields.String(metadata={"description": "Dòng hẹn trả để in trên giấy tiếp nhận (mẫu 01)"})
    explanation = fields.List(fields.String())


class NoticeIn(Schema):
    date = strict.Date(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(("off", "makeup")))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    reference = fields.String(load_default="", validate=validate.Length(max=500))
    effective_from = strict.Date(load_default=None)


class NoticeOut(Schema):
    date = fields.Date()
    kind = fields.String()
    name = fields.String()
    reference = fields.String()
    effective_from = fields.Date()


class NoticeAdded(Schema):
    notice = fields.Nested(NoticeOut)
    calendar_version = fields.String()


class DayOffOut(Schema):
    date = fields.Date()
    name = fields.String()
    kind = fields.String()


class CalendarOut(Schema):
    year = fields.Integer()
    calendar_version = fields.String()
    working_days = fields.List(fields.Date())
    working_day_count = fields.Integer()
    days_off = fields.List(fields.Nested(DayOffOut))
    makeup_days = fields.List(fields.Date())
    notices = fields.List(fields.Nested(NoticeOut))


class RecomputeChange(Schema):
    code = fields.String()
    before_due_at = fields.DateTime(allow_none=True)
    after_due_at = fields.DateTime(allow_none=True)


class RecomputeOut(Schema):
    run_id = fields.String()
    calendar_version = fields.String()
    changed = fields.List(fields.Nested(RecomputeChange))


def summary(d: Dossier) -> dict[str, Any]:
    return {
        "code": d.code, "agency": d.agency, "unit": d.unit, "officer": d.officer,
        "procedure_code": d.procedure.code if d.procedure else None,
        "procedure_name": d.procedure.name if d.procedure else None,
        "due_at": d.due_at, "due_date": d.due_date, "original_due_at": d.original_due_at, "state": d.state,
        "appointment_at": d.appointment_at, "appointment_mismatch": d.appointment_mismatch,
    }


def clock_view(d: Dossier, clock: Clock) -> dict[str, Any]:
    """A dossier's clock with its explanation (built here: the one place besides the preview that shows it)."""
    return {
        **summary(d),
        "unit": clock.holder_unit or d.unit, "officer": clock.holder_officer or d.officer,
        "procedure_version": d.procedure.version if d.procedure else None,
        "accepted_at": clock.accepted_at, "start_at": clock.start_at, "due_at": clock.due_at,
        "original_due_at": clock.original_due_at, "due_date": clock.due_date, "paused": clock.paused,
        "paused_working_hours": clock.paused_working_hours, "stopped_at": clock.stopped_at,
        "stop_reason": clock.stop_reason, "outcome": clock.outcome, "working_days_diff": clock.working_days_diff,
        "resolution_working_hours": clock.resolution_working_hours, "state": clock.state,
        "supplement_requests": clock.supplement_requests, "apologies": clock.apologies,
        "violations": list(clock.violations), "steps": list(clock.steps),
        "calendar_version": clock.calendar_version, "classification": d.classification,
        "explanation": list(clock.explanation),
    }


def due_date_view(version: ProcedureUpdated, clock: Clock, tz: Any) -> dict[str, Any]:
    """The due date a receipt prints, explained without the open clock's state line."""
    p = version.procedure
    assert clock.due_at is not None
    return {
        "procedure_code": p.code, "procedure_version": p.version, "procedure_name": p.name,
        "committed_value": p.committed_value, "committed_unit": p.committed_unit,
        "accepted_at": clock.accepted_at, "effective_acceptance_date": clock.effective_acceptance_date,
        "start_at": clock.start_at, "due_at": clock.due_at, "due_date": clock.due_date,
        "calendar_version": clock.calendar_version,
        "receipt_text": f"Hẹn trả kết quả: {instant_label(clock.due_at, tz)}.",
        "explanation": [line for line in clock.explanation if not line.startswith("Trạng thái:")],
    }


def calendar_year(cal: WorkCalendar, year: int) -> dict[str, Any]:
    start, end = date(year, 1, 1), date(year, 12, 31)
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    working = [d for d in days if cal.is_working_day(d)]
    return {
        "year": year, "calendar_version": cal.version, "working_days": working,
        "working_day_count": len(working), "days_off": cal.days_off(start, end),
        "makeup_days": [m.date for m in cal.makeup_days(start, end)],
        "notices": [n for n in cal.notices if n.date.year == year],
    }
