"""HTTP API: campaigns, standings, closing, corrections, complaints, discipline (reports: ``api_reports``)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, TypeVar

from flask import Response, current_app
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate, validates_schema

from dunghan.contract import strict
from dunghan.web.auth import current_principal, require_agency, require_auth
from dunghan.web.errors import error_response
from scoring import api_schemas as out
from scoring import commands, readers, records
from scoring.domain import CampaignError, campaign_to_dict
from scoring.errors import Conflict, NotFound
from scoring.periods import PeriodError

if TYPE_CHECKING:
    from scoring.bootstrap import ScoringDeps

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
F = TypeVar("F", bound=Callable[..., Any])


def errors(bp: Blueprint, *codes: int) -> Callable[[F], F]:
    """Document the error answers a view gives (the shared ``{"error": {...}}`` shape)."""
    def decorate(fn: F) -> F:
        for code in codes:
            fn = bp.alt_response(code, response=HTTPStatus(code).name)(fn)
        return fn

    return decorate


def deps() -> ScoringDeps:
    """The service's dependencies, as its bootstrap built them."""
    return current_app.extensions["scoring"]  # type: ignore[no-any-return]


def _repo() -> Any:
    return deps().repo


def _now() -> datetime:
    return deps().clock()


def _require_campaign_agency(campaign_id: str) -> None:
    """404 for an unknown campaign, 403 unless the caller acts for the campaign's agency."""
    require_agency(readers.campaign(_repo(), campaign_id).agency)


# The one table from a use case's refusal to the HTTP answer.
ERROR_STATUS: dict[type[Exception], int] = {NotFound: 404, Conflict: 409, CampaignError: 422, PeriodError: 422}


def _refused(exc: Exception) -> Any:
    status = next(code for kind, code in ERROR_STATUS.items() if isinstance(exc, kind))
    return error_response(status, exc.message, field=exc.field)  # type: ignore[attr-defined]


for _error in ERROR_STATUS:
    blp.app_errorhandler(_error)(_refused)


def attachment(body: bytes | str, mimetype: str, name: str) -> Response:
    """A file download named ``name``."""
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@blp.route("/campaigns")
@require_auth()
@blp.response(200, out.CampaignListOut)
def get_campaigns() -> Any:
    """Danh sách chiến dịch thi đua và trạng thái các đợt."""
    return {"items": [{**campaign_to_dict(c), "states": s} for c, s in readers.campaigns(_repo())]}


@blp.route("/campaigns", methods=["POST"])
@require_auth(role="operator")
@blp.arguments(CampaignIn)
@blp.response(201, out.CampaignOut)
@errors(blp, 409)
def post_campaign(body: dict[str, Any]) -> Any:
    """Tạo chiến dịch thi đua (quản trị)."""
    require_agency(body["agency"])
    return campaign_to_dict(commands.create_campaign(_repo(), body))


@blp.route("/campaigns/<campaign_id>/phases/<phase>/standings")
@require_auth()
@blp.arguments(StandingsQuery, location="query")
@blp.response(200, out.StandingsOut)
@errors(blp, 404)
def get_standings(query: dict[str, Any], campaign_id: str, phase: str) -> Any:
    """Bảng xếp hạng của một đợt (hoặc `tong-ket`: tổng kết chiến dịch): hạng (đồng hạng), giá trị từng tiêu chí,
    điều kiện. Đơn vị xếp chung; cán bộ xếp trong nhóm vai trò tương đương (`role`: một cửa — tiếp nhận, trả kết
    quả; chuyên viên — thẩm định; lãnh đạo phòng — phân công, xem xét), mỗi nhóm có tiêu chí và khối lượng tối
    thiểu riêng; mỗi bước tính cho người thực hiện, bước ký duyệt tính cho Lãnh đạo Sở. Đợt đã sơ kết: kết quả giữ
    nguyên, phân loại đến sau được đánh dấu `corrected` / `corrections` trên người, đơn vị và đề nghị liên quan.
    Quy tắc đầy đủ: `GET /campaigns/{id}/rules`."""
    standings = readers.standings(_repo(), campaign_id, phase, query["kind"])
    require_agency(standings.campaign.agency)
    return standings


@blp.route("/campaigns/<campaign_id>/phases/<phase>/steps")
@require_auth()
@blp.arguments(StepsQuery, location="query")
@blp.response(200, out.StepsOut)
@errors(blp, 404)
def get_steps(query: dict[str, Any], campaign_id: str, phase: str) -> Any:
    """Kết quả theo bước xử lý của một đợt: trước hạn, đúng hạn, trễ hạn, tỷ lệ trễ, cán bộ trễ nhiều nhất."""
    report = readers.step_report(_repo(), campaign_id, phase, **query)
    require_agency(report.campaign.agency)
    return {"campaign": report.campaign.id, "phase": report.phase.key, "state": report.state, **query,
            "steps": report.steps}


@blp.route("/campaigns/<campaign_id>/phases/<phase>/close", methods=["POST"])
@require_auth(role="operator")
@blp.response(200, out.ClosedOut)
@errors(blp, 404, 409)
def post_close(campaign_id: str, phase: str) -> Any:
    """Kết thúc đợt (sơ kết): đóng băng kết quả và gửi sự kiện phase_closed."""
    _require_campaign_agency(campaign_id)
    closed = commands.close_phase(_repo(), campaign_id, phase, _now(), current_principal().name)
    return {"campaign": closed.campaign, "phase": closed.phase, "standings": closed.standings,
            "proposals": closed.proposals, "steps": readers.step_report(_repo(), campaign_id, phase).steps}


@blp.route("/campaigns/<campaign_id>/phases/<phase>/corrections")
@require_auth()
@blp.response(200, out.CorrectionsOut)
@errors(blp, 404)
def get_corrections(campaign_id: str, phase: str) -> Any:
    """Các phân loại đến sau khi đợt đã kết thúc, ghi bên cạnh kết quả đã đóng băng."""
    _require_campaign_agency(campaign_id)
    return {"items": records.corrections(_repo(), campaign_id, phase)}


@blp.route("/campaigns/<campaign_id>/complaints", methods=["POST"])
@require_auth(role="operator")
@blp.arguments(ComplaintIn)
@blp.response(201, out.CreatedOut)
@errors(blp, 404)
def post_complaint(body: dict[str, Any], campaign_id: str) -> Any:
    """Ghi nhận khiếu nại (có cơ sở hay không) đối với đơn vị hoặc cán bộ."""
    _require_campaign_agency(campaign_id)
    return {"id": records.record_complaint(_repo(), campaign_id, body, current_principal().name)}


@blp.route("/campaigns/<campaign_id>/discipline", methods=["POST"])
@require_auth(role="operator")
@blp.arguments(DisciplineIn)
@blp.response(201, out.CreatedOut)
@errors(blp, 404)
def post_discipline(body: dict[str, Any], campaign_id: str) -> Any:
    """Ghi nhận cán bộ bị kỷ luật trong thời gian thi đua."""
    _require_campaign_agency(campaign_id)
    return {"id": records.record_discipline(_repo(), campaign_id, body, current_principal().name)}
