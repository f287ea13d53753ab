"""HTTP API: a dossier's clock, due and overdue lists, the working-day calendar and its notices, recompute."""
from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from deadline import handlers
from deadline.views import calendar_year, clock_view, due_date_view, summary
from dunghan.calendar import CalendarRangeError, Notice
from dunghan.contract import strict
from dunghan.web.auth import current_principal, require_agency, require_auth

blp = Blueprint("deadline", __name__, url_prefix="/api/v1", description="Thời hạn giải quyết hồ sơ")


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


def _ctx() -> Any:
    return current_app.extensions["deadline"]


def _scoped(args: dict[str, Any]) -> dict[str, Any]:
    principal = current_principal()
    if not principal.cross_agency:
        if args.get("agency") and args["agency"] != principal.agency:
            abort(403, message="không được truy cập hồ sơ của cơ quan khác", field="agency")
        args = {**args, "agency": principal.agency}
    return args


@blp.route("/dossiers/<code>/clock")
class DossierClock(MethodView):
    @require_auth()
    @blp.response(200, ClockOut)
    def get(self, code: str) -> Any:
        """Đồng hồ thời hạn của một hồ sơ, kèm diễn giải."""
        ctx = _ctx()
        found = handlers.explain(ctx.repo, ctx.deps, code, ctx.clock())
        if found is None:
            abort(404, message=f"không có hồ sơ {code}", field="code")
            raise AssertionError
        d, clock = found
        require_agency(d.agency)
        return clock_view(d, clock)


@blp.route("/due-date")
class DueDatePreview(MethodView):
    @require_auth()
    @blp.arguments(DueDateQuery, location="query")
    @blp.response(200, DueDateOut)
    def get(self, args: dict[str, Any]) -> Any:
        """Hạn giải quyết nếu tiếp nhận vào thời điểm cho trước: để in giấy tiếp nhận và hẹn trả kết quả."""
        ctx = _ctx()
        principal = current_principal()
        agency = None if principal.is_operator else principal.agency
        try:
            found = handlers.due_date_preview(ctx.repo, ctx.deps, args["procedure"], args["accepted_at"], agency)
        except (CalendarRangeError, OverflowError):  # beyond the calendar's years, or what ``datetime`` holds
            abort(422, message="thời điểm tiếp nhận hoặc hạn nằm ngoài phạm vi lịch làm việc", field="accepted_at")
            raise
        if found is None:
            abort(422, message=f"thủ tục {args['procedure']!r} không có hiệu lực vào ngày tiếp nhận"
                  + ("" if agency is None else f" hoặc không thuộc cơ quan {agency}"), field="procedure")
            raise AssertionError
        version, clock = found
        if args["channel"] is not None and args["channel"] not in version.channels:
            abort(422, message="thủ tục không tiếp nhận qua kênh này", field="channel")
        return due_date_view(version, clock, ctx.deps.calendars.current().tz)


@blp.route("/appointment-mismatches")
class AppointmentMismatches(MethodView):
    @require_auth()
    @blp.arguments(ListQuery, location="query")
    @blp.response(200, DossierSummary(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """Hồ sơ có ngày hẹn trên giấy tiếp nhận khác hạn tính theo quy định."""
        args = _scoped(args)
        rows = _ctx().repo.appointment_mismatches(agency=args["agency"], unit=args["unit"])
        return [summary(d) for d in rows if not args["officer"] or d.officer == args["officer"]]


@blp.route("/due")
class Due(MethodView):
    @require_auth()
    @blp.arguments(DueQuery, location="query")
    @blp.response(200, DossierSummary(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """Hồ sơ đến hạn trong N ngày làm việc."""
        args = _scoped(args)
        ctx = _ctx()
        now = ctx.clock()
        cal = ctx.deps.calendars.current()
        today = now.astimezone(cal.tz).date()
        last = cal.add_working_days(today, args["within"]) if args["within"] else today
        until = datetime.combine(last, time.max, tzinfo=cal.tz)
        rows = ctx.repo.open_dossiers(due_before=until, agency=args["agency"], unit=args["unit"],
                                      officer=args["officer"])
        return [summary(d) for d in rows if not d.paused and d.due_at is not None and d.due_at >= now]


@blp.route("/overdue")
class Overdue(MethodView):
    @require_auth()
    @blp.arguments(ListQuery, location="query")
    @blp.response(200, DossierSummary(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """Hồ sơ quá hạn."""
        args = _scoped(args)
        ctx = _ctx()
        rows = ctx.repo.open_dossiers(overdue_at=ctx.clock(), agency=args["agency"], unit=args["unit"],
                                      officer=args["officer"])
        return [summary(d) for d in rows]


@blp.route("/calendar/<int:year>")
class CalendarYear(MethodView):
    @require_auth()
    @blp.response(200, CalendarOut)
    def get(self, year: int) -> Any:
        """Ngày làm việc của một năm và các thông báo chính thức."""
        cal = _ctx().deps.calendars.current()
        try:
            return calendar_year(cal, year)
        except (CalendarRangeError, ValueError, OverflowError):  # beyond what ``date`` holds
            abort(404, message=f"lịch không có năm {year}", field="year")


@blp.route("/calendar/notices")
class CalendarNotices(MethodView):
    @require_auth()
    @blp.response(200, NoticeOut(many=True))
    def get(self) -> Any:
        """Các thông báo nghỉ và làm bù đang áp dụng."""
        return list(_ctx().deps.calendars.current().notices)

    @require_auth(role="admin")  # the national calendar moves every agency's deadlines
    @blp.arguments(NoticeIn)
    @blp.response(201, NoticeAdded)
    def post(self, args: dict[str, Any]) -> Any:
        """Thêm một thông báo nghỉ hoặc làm bù; phiên bản lịch thay đổi."""
        ctx = _ctx()
        notice = Notice(date=args["date"], kind=args["kind"], name=args["name"], reference=args["reference"],
                        effective_from=args["effective_from"] or args["date"])
        version = handlers.add_notice(ctx.repo, ctx.deps, notice, ctx.clock())
        return {"notice": notice, "calendar_version": version}


@blp.route("/recompute")
class Recompute(MethodView):
    @require_auth(role="admin")  # every agency's open dossiers
    @blp.response(200, RecomputeOut)
    def post(self) -> Any:
        """Tính lại hạn của các hồ sơ đang mở theo lịch hiện hành."""
        ctx = _ctx()
        run_id = uuid.uuid4().hex
        changes = handlers.recompute(ctx.repo, ctx.deps, ctx.clock(), run_id)
        return {
            "run_id": run_id, "calendar_version": ctx.deps.calendars.current().version,
            "changed": [{"code": c.after.code, "before_due_at": c.before.due_at, "after_due_at": c.after.due_at}
                        for c in changes],
        }


