"""HTTP API: a dossier's clock, due and overdue lists, the working-day calendar and its notices, recompute."""
from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from deadline import handlers
from deadline.api_schemas import (
    CalendarOut,
    ClockOut,
    DossierSummary,
    DueDateOut,
    DueDateQuery,
    DueQuery,
    ListQuery,
    NoticeAdded,
    NoticeIn,
    NoticeOut,
    RecomputeOut,
    calendar_year,
    clock_view,
    due_date_view,
    summary,
)
from dunghan.calendar import CalendarRangeError, Notice
from dunghan.web.auth import current_principal, require_agency, require_auth

blp = Blueprint("deadline", __name__, url_prefix="/api/v1", description="Thời hạn giải quyết hồ sơ")


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


