"""HTTP API: campaigns, standings, closing, corrections, complaints, discipline (reports: ``api_reports``)."""
from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate, validates_schema

from dunghan.clock import utc_now
from dunghan.contract import strict
from dunghan.web.auth import current_principal, require_agency, require_auth
from scoring import handlers, readers, records
from scoring.domain import Standing, StepFigures, campaign_to_dict
from scoring.export import CSV_MIME, XLSX_MIME, to_csv, to_xlsx

blp = Blueprint("scoring", __name__, url_prefix="/api/v1", description="Thi đua, xếp hạng và báo cáo")


class CampaignIn(Schema):
    id = fields.String(required=True, validate=validate.Length(1, 100))
    name = fields.String(required=True, validate=validate.Length(1, 500))
    agency = fields.String(required=True, validate=strict.pattern(r"[A-Z][A-Z0-9]{1,9}"))
    plan = fields.String(load_default="", validate=validate.Length(max=10_000))
    phases = fields.List(fields.Dict(), required=True, validate=validate.Length(min=1))
    scoring = fields.Dict(load_default=None, allow_none=True)


class StandingsQuery(Schema):
    kind = fields.String(load_default="unit", validate=validate.OneOf(["unit", "officer"]))


class StepsQuery(Schema):
    unit = fields.String(load_default=None, validate=validate.Length(1, 64))
    officer = fields.String(load_default=None, validate=validate.Length(1, 64))


class ComplaintIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["unit", "officer"]))
    subject = fields.String(required=True, validate=validate.Length(1, 64))
    phase = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 50))
    dossier_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 64))
    well_founded = strict.Boolean(load_default=True)
    occurred_on = strict.Date(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class DisciplineIn(Schema):
    officer = fields.String(required=True, validate=validate.Length(1, 64))
    unit = fields.String(required=True, validate=validate.Length(1, 64))
    starts_on = strict.Date(required=True)
    ends_on = strict.Date(load_default=None, allow_none=True)
    note = fields.String(load_default="", validate=validate.Length(max=2000))

    @validates_schema
    def _span(self, data: dict[str, Any], **_: Any) -> None:
        strict.check_span(data.get("starts_on"), data.get("ends_on"), "ends_on")


AGENCY_CODE = strict.pattern(r"[A-Z][A-Z0-9]{1,9}")


def _repo() -> Any:
    return current_app.extensions["scoring_repo"]


def _now() -> datetime:
    clock = current_app.extensions.get("scoring_clock")
    return clock() if clock else utc_now()


def _require_campaign_agency(campaign_id: str) -> None:
    """Abort 404 for an unknown campaign, 403 unless the caller acts for the campaign's agency."""
    def agency_of() -> str:
        with _repo().transaction() as tx:
            return handlers._campaign(tx, campaign_id).agency

    require_agency(_call(agency_of))


def _call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Map domain errors to HTTP statuses (one table)."""
    from scoring.domain import CampaignError

    try:
        return fn(*args, **kwargs)
    except handlers.NotFound as exc:
        abort(404, message=exc.message, field=exc.field)
    except handlers.Conflict as exc:
        abort(409, message=exc.message, field=exc.field)
    except CampaignError as exc:
        abort(422, message=exc.message, field=exc.field)


def _standing(s: Standing, flags: dict[tuple[str, str], list[dict[str, Any]]] | None = None) -> dict[str, Any]:
    t = s.tally
    corrections = (flags or {}).get((t.kind, t.subject), [])
    return {"rank": s.rank, "kind": t.kind, "subject": t.subject, "name": t.name, "unit": t.unit, "score": s.score,
            "role": t.role, "criteria": s.values, "gates": s.gates, "eligible": s.eligible,
            "complaints": t.complaints, "disciplined": t.disciplined,
            "corrected": bool(corrections), "corrections": corrections}


def _step(f: StepFigures) -> dict[str, Any]:
    return {"step": f.step, "handled": f.handled, "early": f.early, "on_time": f.on_time, "late": f.late,
            "late_share": f.late_share, "top_late_officers": [asdict(o) for o in f.top_late_officers]}


def _export(fmt: str, columns: Any, rows: list[dict[str, Any]], name: str, heading: str) -> Response | None:
    if fmt == "csv":
        return Response(to_csv(columns, rows), mimetype=CSV_MIME,
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    if fmt == "xlsx":
        return Response(to_xlsx(columns, rows, title=name, heading=heading), mimetype=XLSX_MIME,
                        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
    return None


@blp.route("/campaigns")
class Campaigns(MethodView):
    @require_auth()
    @blp.response(200)
    def get(self) -> Any:
        """Danh sách chiến dịch thi đua và trạng thái các đợt."""
        with _repo().transaction() as tx:
            items = tx.list_campaigns()
        return {"items": [{**campaign_to_dict(c), "states": s} for c, s in items]}

    @require_auth(role="operator")
    @blp.arguments(CampaignIn)
    @blp.response(201)
    def post(self, body: dict[str, Any]) -> Any:
        """Tạo chiến dịch thi đua (quản trị)."""
        require_agency(body["agency"])
        return campaign_to_dict(_call(handlers.create_campaign, _repo(), body))


@blp.route("/campaigns/<campaign_id>/phases/<phase>/standings")
@require_auth()
@blp.arguments(StandingsQuery, location="query")
@blp.response(200)
def get_standings(query: dict[str, Any], campaign_id: str, phase: str) -> Any:
    """Bảng xếp hạng của một đợt (hoặc `tong-ket`: tổng kết chiến dịch): hạng (đồng hạng), giá trị từng tiêu chí,
    điều kiện. Đơn vị xếp chung; cán bộ xếp trong nhóm vai trò tương đương (`role`: một cửa — tiếp nhận, trả kết
    quả; chuyên viên — thẩm định; lãnh đạo phòng — phân công, xem xét), mỗi nhóm có tiêu chí và khối lượng tối
    thiểu riêng; mỗi bước tính cho người thực hiện, bước ký duyệt tính cho Lãnh đạo Sở. Đợt đã sơ kết: kết quả giữ
    nguyên, phân loại đến sau được đánh dấu `corrected` / `corrections` trên người, đơn vị và đề nghị liên quan.
    Quy tắc đầy đủ: `GET /campaigns/{id}/rules`."""
    st: handlers.Standings = _call(handlers.standings, _repo(), campaign_id, phase, query["kind"])
    require_agency(st.campaign.agency)
    return {"campaign": st.campaign.id, "phase": st.phase.key, "phase_name": st.phase.name, "state": st.state,
            "kind": st.kind, "closed_at": st.closed_at.isoformat() if st.closed_at else None,
            "config": st.config, "entries": [_standing(s, st.flags) for s in st.entries],
            "proposals": st.proposals,
            "steps": [_step(f) for f in st.steps]}


@blp.route("/campaigns/<campaign_id>/phases/<phase>/steps")
@require_auth()
@blp.arguments(StepsQuery, location="query")
@blp.response(200)
def get_steps(query: dict[str, Any], campaign_id: str, phase: str) -> Any:
    """Kết quả theo bước xử lý của một đợt: trước hạn, đúng hạn, trễ hạn, tỷ lệ trễ, cán bộ trễ nhiều nhất."""
    rep: readers.StepReport = _call(readers.step_report, _repo(), campaign_id, phase,
                                     unit=query["unit"], officer=query["officer"])
    require_agency(rep.campaign.agency)
    return {"campaign": rep.campaign.id, "phase": rep.phase.key, "state": rep.state, "unit": query["unit"],
            "officer": query["officer"], "steps": [_step(f) for f in rep.steps]}


@blp.route("/campaigns/<campaign_id>/phases/<phase>/close", methods=["POST"])
@require_auth(role="operator")
@blp.response(200)
def post_close(campaign_id: str, phase: str) -> Any:
    """Kết thúc đợt (sơ kết): đóng băng kết quả và gửi sự kiện phase_closed."""
    _require_campaign_agency(campaign_id)
    ev = _call(handlers.close_phase, _repo(), campaign_id, phase, _now(), current_principal().name)
    steps = readers.step_report(_repo(), campaign_id, phase).steps
    return {"campaign": ev.campaign, "phase": ev.phase, "standings": [asdict(s) for s in ev.standings],
            "proposals": [asdict(p) for p in ev.proposals], "steps": [_step(f) for f in steps]}, 200


@blp.route("/campaigns/<campaign_id>/phases/<phase>/corrections")
@require_auth()
@blp.response(200)
def get_corrections(campaign_id: str, phase: str) -> Any:
    """Các phân loại đến sau khi đợt đã kết thúc, ghi bên cạnh kết quả đã đóng băng."""
    _require_campaign_agency(campaign_id)
    items = _call(records.corrections, _repo(), campaign_id, phase)
    return {"items": [{k: (v.isoformat() if isinstance(v, datetime | date) else v) for k, v in i.items()}
                      for i in items]}


@blp.route("/campaigns/<campaign_id>/complaints", methods=["POST"])
@require_auth(role="operator")
@blp.arguments(ComplaintIn)
@blp.response(201)
def post_complaint(body: dict[str, Any], campaign_id: str) -> Any:
    """Ghi nhận khiếu nại (có cơ sở hay không) đối với đơn vị hoặc cán bộ."""
    _require_campaign_agency(campaign_id)
    return {"id": _call(records.record_complaint, _repo(), campaign_id, body, current_principal().name)}, 201


@blp.route("/campaigns/<campaign_id>/discipline", methods=["POST"])
@require_auth(role="operator")
@blp.arguments(DisciplineIn)
@blp.response(201)
def post_discipline(body: dict[str, Any], campaign_id: str) -> Any:
    """Ghi nhận cán bộ bị kỷ luật trong thời gian thi đua."""
    _require_campaign_agency(campaign_id)
    return {"id": _call(records.record_discipline, _repo(), campaign_id, body, current_principal().name)}, 201
