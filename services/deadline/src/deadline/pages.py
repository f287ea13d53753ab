"""Staff pages of the deadline service: a dossier (the target of every alert's link) and the unit head's board."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request

from deadline.board import SORTS, board
from dunghan.web.pages import require_person
from dunghan.web.pages.internal import get_json
from dunghan.web.pages.session import current_person, directory

bp = Blueprint("deadline_pages", __name__, template_folder="templates")
NAV = [("/don-vi", "Hồ sơ của đơn vị")]
EVENT_LABELS = {
    "accepted": "Tiếp nhận", "transferred": "Chuyển xử lý", "supplement_requested": "Yêu cầu bổ sung (tạm dừng)",
    "supplement_received": "Nhận bổ sung (tính tiếp)", "fee_requested": "Yêu cầu nộp phí (tạm dừng)",
    "fee_paid": "Đã nộp phí (tính tiếp)", "apology_issued": "Phiếu xin lỗi và hẹn lại ngày trả",
    "result_ready": "Có kết quả", "result_returned": "Trả kết quả", "withdrawn": "Rút hồ sơ",
    "stopped": "Dừng giải quyết", "refused": "Từ chối",
}
STATE_LABELS = {"on_time": "Trong hạn", "due_soon": "Sắp đến hạn", "overdue": "Quá hạn", "paused": "Tạm dừng",
                "done_on_time": "Đã giải quyết đúng hạn", "done_early": "Đã giải quyết trước hạn",
                "done_late": "Đã giải quyết quá hạn", "stopped": "Đã dừng", "pending": "Chờ tiếp nhận"}


OUTCOMES = {"early": "trước hạn", "on_time": "đúng hạn", "late": "quá hạn"}


def _ctx() -> Any:
    return current_app.extensions["deadline"]


@bp.get("/")
@require_person()
def home() -> Any:
    return redirect("/don-vi")


@bp.get("/ho-so/<code>")
@require_person()
def dossier(code: str) -> Any:
    """The dossier: status, procedure, holder, the due instant with its explanation, pauses, steps, history."""
    clock = get_json(f"/api/v1/dossiers/{code}/clock")  # 404 / 403 (another agency) come through as pages
    with _ctx().repo.uow as tx:
        events = tx.events(code)
    return render_template("deadline/dossier.html", d=clock, events=events, labels=EVENT_LABELS,
                           states=STATE_LABELS, outcomes=OUTCOMES, name_of=directory().name_of,
                           unit_name=directory().unit_name)


@bp.get("/don-vi")
@require_person()
def unit_board() -> Any:
    """The unit's dossiers due today, on the next working day, overdue, and waiting for the applicant."""
    me = current_person()
    assert me is not None
    units = [u for u, _ in directory().unit_names]
    unit = me.unit
    if me.role in ("leadership", "operator", "union"):
        unit = request.args.get("unit") or me.unit
        if unit not in units:
            abort(404, description=f"không có đơn vị {unit}")
    officer = me.code if me.role == "officer" else None
    ctx = _ctx()
    now = ctx.clock()
    rows = ctx.repo.open_dossiers(agency=me.agency, unit=unit, officer=officer)
    sort = request.args.get("sort", "han")
    b = board(rows, now, ctx.deps.calendars.current(), sort)
    return render_template("deadline/unit.html", b=b, unit=unit, units=units, sort=sort, sorts=SORTS, now=now,
                           me=me, officer=officer, name_of=directory().name_of, unit_name=directory().unit_name)
