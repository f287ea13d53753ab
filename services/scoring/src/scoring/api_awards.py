"""HTTP API of reward proposals (draft → union compiles → leadership decides) and of the published rules."""
from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from dunghan.web.auth import current_principal, require_agency, require_auth
from scoring import api_schemas as out
from scoring import awards, commands, readers
from scoring.api import _now, _repo, attachment, errors
from scoring.documents import DOCX_MIME, proposals_docx, proposals_xlsx
from scoring.export import XLSX_MIME
from scoring.rules import rules_text

blp = Blueprint("awards", __name__, url_prefix="/api/v1", description=(
    "Đề nghị khen thưởng: hệ thống lập dự thảo khi sơ kết/tổng kết → Công đoàn tổng hợp (vai trò `union`: thêm, "
    "bớt có lý do, trình) → Lãnh đạo quyết định (vai trò `leadership`: số và ngày quyết định). Mỗi thay đổi được "
    "ghi lại người thực hiện, vai trò và thời điểm."))


class ProposalsQuery(Schema):
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "xlsx", "docx"]))


class ProposalIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["unit", "officer"]))
    subject = fields.String(required=True, validate=validate.Length(1, 64))
    title = fields.String(required=True, validate=validate.Length(1, 100))
    reason = fields.String(required=True, validate=validate.Length(3, 2000))
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 200))
    unit = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 64))
    criteria = fields.List(fields.String(validate=validate.Length(1, 500)), load_default=list)


class RemoveIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(3, 2000))


class DecisionIn(Schema):
    decision_number = fields.String(required=True, validate=validate.Length(1, 100))
    decision_date = fields.Date(required=True)


def _actor() -> awards.Actor:
    p = current_principal()
    return awards.Actor(p.name, p.role)


def _review(campaign_id: str, phase: str) -> awards.ProposalReview:
    review = readers.proposal_review(_repo(), campaign_id, phase)
    require_agency(review.campaign.agency)
    return review


def _proposals_file(review: awards.ProposalReview, fmt: str) -> Response:
    """The list (XLSX) or the submission (DOCX) of a review's proposals."""
    c = review.campaign
    units = readers.unit_names(_repo(), c.agency)
    if fmt == "xlsx":
        body, mime = proposals_xlsx(review, units), XLSX_MIME
    else:
        body, mime = proposals_docx(review, units, union=c.union, agency=c.agency_name), DOCX_MIME
    return attachment(body, mime, f"khen_thuong_{c.id}_{review.phase.key}.{fmt}")


@blp.route("/campaigns/<campaign_id>/rules")
@require_auth()
@blp.response(200, out.RulesOut)
@errors(blp, 404)
def get_rules(campaign_id: str) -> Any:
    """Quy tắc chấm điểm, xếp hạng theo nhóm vai trò và khen thưởng của chiến dịch (tiếng Việt)."""
    c = readers.campaign(_repo(), campaign_id)
    require_agency(c.agency)
    config = c.config.to_json()
    return {"campaign": c.id, "rules": rules_text(c), "roles": config["roles"], "leadership": config["leadership"]}


@blp.route("/campaigns/<campaign_id>/phases/<phase>/proposals")
@require_auth()
@blp.arguments(ProposalsQuery, location="query")
@blp.response(200, out.ReviewOut, description="Các đề nghị (JSON), hoặc tệp khi `format=xlsx` / `docx`")
@blp.doc(**out.files(XLSX_MIME, DOCX_MIME, description="Các đề nghị (JSON), hoặc tệp khi `format=xlsx` / `docx`"))
@errors(blp, 404, 409)
def get_proposals(query: dict[str, Any], campaign_id: str, phase: str) -> Any:
    """Danh sách đề nghị khen thưởng của một lần xét (sơ kết đợt hoặc `tong-ket`), trạng thái, nhật ký thay đổi,
    đính chính sau sơ kết của từng người; `format=xlsx` (danh sách) hoặc `docx` (tờ trình)."""
    review = _review(campaign_id, phase)
    return review if query["format"] == "json" else _proposals_file(review, query["format"])


@blp.route("/campaigns/<campaign_id>/phases/<phase>/proposals", methods=["POST"])
@require_auth(role="union")
@blp.arguments(ProposalIn)
@blp.response(201, out.CreatedOut)
@errors(blp, 404, 409)
def post_proposal(body: dict[str, Any], campaign_id: str, phase: str) -> Any:
    """Công đoàn thêm một đề nghị (nêu lý do); danh hiệu năm chỉ ở lần tổng kết; mỗi người một hình thức."""
    _review(campaign_id, phase)
    return {"id": commands.add_proposal(_repo(), campaign_id, phase, body, _actor(), _now())}


@blp.route("/campaigns/<campaign_id>/phases/<phase>/proposals/<int:proposal_id>/remove", methods=["POST"])
@require_auth(role="union")
@blp.arguments(RemoveIn)
@blp.response(200, out.RemovedOut)
@errors(blp, 404, 409)
def post_remove(body: dict[str, Any], campaign_id: str, phase: str, proposal_id: int) -> Any:
    """Công đoàn bớt một đề nghị (nêu lý do)."""
    _review(campaign_id, phase)
    commands.remove_proposal(_repo(), campaign_id, phase, proposal_id, body["reason"], _actor(), _now())
    return {"id": proposal_id, "status": "removed"}


@blp.route("/campaigns/<campaign_id>/phases/<phase>/proposals/compile", methods=["POST"])
@require_auth(role="union")
@blp.response(200, out.ReviewStateOut)
@errors(blp, 404, 409)
def post_compile(campaign_id: str, phase: str) -> Any:
    """Công đoàn trình danh sách đã tổng hợp lên Lãnh đạo (không thêm, bớt được nữa)."""
    _review(campaign_id, phase)
    commands.compile_proposals(_repo(), campaign_id, phase, _actor(), _now())
    return {"state": "compiled"}


@blp.route("/campaigns/<campaign_id>/phases/<phase>/proposals/decision", methods=["POST"])
@require_auth(role="leadership")
@blp.arguments(DecisionIn)
@blp.response(200, out.ReviewStateOut)
@errors(blp, 404, 409)
def post_decision(body: dict[str, Any], campaign_id: str, phase: str) -> Any:
    """Lãnh đạo quyết định: số và ngày quyết định; tiền thưởng tính theo lương cơ sở tại ngày quyết định."""
    _review(campaign_id, phase)
    commands.decide(_repo(), campaign_id, phase, body["decision_number"], body["decision_date"], _actor(), _now())
    return {"state": "decided"}
