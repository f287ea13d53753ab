"""HTTP API of reward proposals (draft → union compiles → leadership decides) and of the published rules."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from dunghan.web.auth import current_principal, require_agency, require_auth
from scoring import awards
from scoring.api import _call, _now, _repo
from scoring.documents import DOCX_MIME, proposals_docx, proposals_xlsx
from scoring.export import XLSX_MIME
from scoring.handlers import _campaign
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


def _json(v: Any) -> Any:
    return v.isoformat() if isinstance(v, datetime | date) else v


def _review(campaign_id: str, phase: str) -> awards.ProposalReview:
    review: awards.ProposalReview = _call(awards.get_review, _repo(), campaign_id, phase)
    require_agency(review.campaign.agency)
    return review


@blp.route("/campaigns/<campaign_id>/rules")
@require_auth()
@blp.response(200)
def get_rules(campaign_id: str) -> Any:
    """Quy tắc chấm điểm, xếp hạng theo nhóm vai trò và khen thưởng của chiến dịch (tiếng Việt)."""
    with _repo().transaction() as tx:
        c = _call(_campaign, tx, campaign_id)
    require_agency(c.agency)
    return {"campaign": c.id, "rules": rules_text(c), "roles": c.config.to_json()["roles"],
            "leadership": c.config.to_json()["leadership"]}


@blp.route("/campaigns/<campaign_id>/phases/<phase>/proposals")
@require_auth()
@blp.arguments(ProposalsQuery, location="query")
@blp.response(200)
def get_proposals(query: dict[str, Any], campaign_id: str, phase: str) -> Any:
    """Danh sách đề nghị khen thưởng của một lần xét (sơ kết đợt hoặc `tong-ket`), trạng thái, nhật ký thay đổi,
    đính chính sau sơ kết của từng người; `format=xlsx` (danh sách) hoặc `docx` (tờ trình)."""
    review = _review(campaign_id, phase)
    if query["format"] != "json":
        with _repo().transaction() as tx:
            units = tx.unit_names(review.campaign.agency)
        name = f"khen_thuong_{review.campaign.id}_{review.phase.key}"
        if query["format"] == "xlsx":
            body, mime = proposals_xlsx(review, units), XLSX_MIME
        else:
            body, mime = proposals_docx(review, units, union=review.campaign.union,
                                        agency=review.campaign.agency_name), DOCX_MIME
        return Response(body, mimetype=mime,
                        headers={"Content-Disposition": f'attachment; filename="{name}.{query["format"]}"'})
    return {"campaign": review.campaign.id, "phase": review.phase.key, "phase_name": review.phase.name,
            "final": review.phase.final, "state": review.state, "decision_number": review.decision_number,
            "decision_date": _json(review.decision_date),
            "items": [{k: _json(v) for k, v in i.items()} for i in review.items],
            "log": [{k: _json(v) for k, v in e.items()} for e in review.log]}


@blp.route("/campaigns/<campaign_id>/phases/<phase>/proposals", methods=["POST"])
@require_auth(role="union")
@blp.arguments(ProposalIn)
@blp.response(201)
def post_proposal(body: dict[str, Any], campaign_id: str, phase: str) -> Any:
    """Công đoàn thêm một đề nghị (nêu lý do); danh hiệu năm chỉ ở lần tổng kết; mỗi người một hình thức."""
    _review(campaign_id, phase)
    return {"id": _call(awards.add_proposal, _repo(), campaign_id, phase, body, _actor(), _now())}, 201


@blp.route("/campaigns/<campaign_id>/phases/<phase>/proposals/<int:proposal_id>/remove", methods=["POST"])
@require_auth(role="union")
@blp.arguments(RemoveIn)
@blp.response(200)
def post_remove(body: dict[str, Any], campaign_id: str, phase: str, proposal_id: int) -> Any:
    """Công đoàn bớt một đề nghị (nêu lý do)."""
    _review(campaign_id, phase)
    _call(awards.remove_proposal, _repo(), campaign_id, phase, proposal_id, body["reason"], _actor(), _now())
    return {"id": proposal_id, "status": "removed"}


@blp.route("/campaigns/<campaign_id>/phases/<phase>/proposals/compile", methods=["POST"])
@require_auth(role="union")
@blp.response(200)
def post_compile(campaign_id: str, phase: str) -> Any:
    """Công đoàn trình danh sách đã tổng hợp lên Lãnh đạo (không thêm, bớt được nữa)."""
    _review(campaign_id, phase)
    _call(awards.compile_proposals, _repo(), campaign_id, phase, _actor(), _now())
    return {"state": "compiled"}


@blp.route("/campaigns/<campaign_id>/phases/<phase>/proposals/decision", methods=["POST"])
@require_auth(role="leadership")
@blp.arguments(DecisionIn)
@blp.response(200)
def post_decision(body: dict[str, Any], campaign_id: str, phase: str) -> Any:
    """Lãnh đạo quyết định: số và ngày quyết định; tiền thưởng tính theo lương cơ sở tại ngày quyết định."""
    _review(campaign_id, phase)
    _call(awards.decide, _repo(), campaign_id, phase, body["decision_number"], body["decision_date"], _actor(),
          _now())
    return {"state": "decided"}
