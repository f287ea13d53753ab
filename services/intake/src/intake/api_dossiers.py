"""Dossier endpoints: post lifecycle facts, list and read dossiers (with history), citizen lookup."""
from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from dunghan.clock import LOCAL_TZ
from dunghan.web.auth import current_principal, require_agency, require_auth
from dunghan.web.errors import ErrorSchema
from intake import metrics
from intake.api_schemas import (
    DossierDetailSchema,
    DossierPageSchema,
    DossierQuerySchema,
    FactBodySchema,
    FactFateSchema,
    FactQuerySchema,
    LookupQuerySchema,
    LookupSchema,
    ReplySchema,
)
from intake.context import ctx, fail
from intake.domain import STATUS_NAMES, InboundError, hash_id_number, is_overdue
from intake.handlers import Sender, digest_of, record_fact
from intake.inbound import load_fact
from intake.records import Dossier, DossierFilter

blp = Blueprint("dossiers", __name__, url_prefix="/api/v1", description="Hồ sơ và vòng đời hồ sơ")


def dossier_view(d: Dossier, now: Any) -> dict[str, Any]:
    out = asdict(d)
    for private in ("id_number_hash", "applicant_phone", "applicant_email", "updated_at"):
        out.pop(private)
    out["status_name"] = STATUS_NAMES[d.status]
    out["overdue"] = is_overdue(d.status, d.appointment_at, now)
    return out


@blp.route("/dossiers/<code>/events")
class DossierEvents(MethodView):
    @require_auth(role="system")
    @blp.doc(security=[{"apiKey": []}], requestBody={
        "required": True, "content": {"application/json": {"schema": FactBodySchema}}})
    @blp.response(201, ReplySchema, description="Áp dụng (201), đưa vào hàng chờ (202); trùng lặp trả lời y hệt")
    def post(self, code: str) -> Any:
        """Ghi nhận một sự kiện vòng đời hồ sơ (cùng lược đồ với hàng đợi)."""
        raw = request.get_json(silent=True)
        if not isinstance(raw, dict):
            abort(400, message="thân yêu cầu phải là đối tượng JSON", field="body")
        assert isinstance(raw, dict)
        raw.setdefault("code", code)
        principal = current_principal()
        try:
            if raw["code"] != code:
                raise InboundError("invalid", "mã hồ sơ khác với đường dẫn", "code")
            cmd = load_fact(raw)
            agency = cmd.agency if principal.cross_agency else principal.agency
            c = ctx()
            out = record_fact(c.repo.facts, cmd, Sender(principal.name, agency), now=c.clock(),
                              pepper=c.settings.id_pepper, digest=digest_of(raw),
                              max_skew_seconds=c.settings.max_clock_skew_seconds)
        except InboundError as exc:
            metrics.INBOUND_REJECTED.labels(reason=exc.kind).inc()
            fail(exc)
        return out.reply, 202 if out.buffered else 201


@blp.route("/facts/<event_id>")
class FactFate(MethodView):
    @require_auth()
    @blp.doc(security=[{"apiKey": []}])
    @blp.arguments(FactQuerySchema, location="query")
    @blp.response(200, FactFateSchema)
    def get(self, args: dict[str, Any], event_id: str) -> Any:
        """Số phận của một sự kiện đã gửi (theo event_id của bên gửi): đã áp dụng, đang chờ, hay bị từ chối."""
        principal = current_principal()
        agency = args.get("agency", principal.agency) if principal.is_operator else principal.agency
        c = ctx()
        with c.repo.transaction() as tx:
            seen = tx.get_received(agency, event_id)
        if seen is None:
            abort(404, message=f"không có sự kiện {event_id} của cơ quan {agency}", field="event_id")
        assert seen is not None
        reply = seen.reply
        return {"event_id": event_id, "agency": agency, "status": seen.state, "code": reply.get("code"),
                "dossier_status": reply.get("dossier_status"), "reason": reply.get("reason"),
                "errors": reply.get("errors"), "received_at": seen.received_at}


@blp.route("/dossiers")
class Dossiers(MethodView):
    @require_auth()
    @blp.doc(security=[{"apiKey": []}])
    @blp.arguments(DossierQuerySchema, location="query")
    @blp.response(200, DossierPageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Danh sách hồ sơ theo bộ lọc (cơ quan, đơn vị, cán bộ, trạng thái, thủ tục, thời gian, quá hạn)."""
        principal = current_principal()
        if not principal.cross_agency:
            if args.get("agency", principal.agency) != principal.agency:
                abort(403, message="không được xem hồ sơ của cơ quan khác", field="agency")
            args["agency"] = principal.agency
        c = ctx()
        now = c.clock()
        flt = DossierFilter(**{k: v for k, v in args.items() if k != "overdue"})
        if args.get("overdue"):
            flt = replace(flt, overdue_at=now)
        with c.repo.transaction() as tx:
            items, total = tx.list_dossiers(flt)
        return {"items": [dossier_view(d, now) for d in items], "total": total, "page": flt.page,
                "per_page": flt.per_page}


@blp.route("/dossiers/<code>")
class DossierOne(MethodView):
    @require_auth()
    @blp.doc(security=[{"apiKey": []}])
    @blp.response(200, DossierDetailSchema)
    def get(self, code: str) -> Any:
        """Một hồ sơ với lịch sử xử lý (phiếu kiểm soát quá trình điện tử, mẫu 05)."""
        c = ctx()
        with c.repo.transaction() as tx:
            d = tx.get_dossier(code)
            history = tx.history(code) if d else []
        if d is None:
            abort(404, message=f"không có hồ sơ {code}", field="code")
        assert d is not None
        require_agency(d.agency)
        return {**dossier_view(d, c.clock()), "history": [asdict(h) for h in history]}


@blp.route("/lookup")
class Lookup(MethodView):
    @blp.arguments(LookupQuerySchema, location="query")
    @blp.response(200, LookupSchema)
    @blp.alt_response(429, schema=ErrorSchema, description="Quá giới hạn tần suất (chung cho mọi tiến trình)",
                      headers={"Retry-After": {"description": "số giây cần chờ", "schema": {"type": "integer"}}})
    def get(self, args: dict[str, str]) -> Any:
        """Tra cứu cho công dân: mã hồ sơ + số CMND/CCCD → trạng thái và ngày hẹn trả (giới hạn tần suất)."""
        c = ctx()
        decision = c.limiter.check(request.remote_addr or "?")
        if not decision.allowed:
            abort(429, message=f"quá nhiều lượt tra cứu, vui lòng thử lại sau {decision.retry_after} giây",
                  field=None, headers={"Retry-After": str(decision.retry_after)})
        with c.repo.transaction() as tx:
            d = tx.get_dossier(args["code"])
        wanted = hash_id_number(c.settings.id_pepper, args["id_number"])
        if d is None or d.id_number_hash != wanted:
            abort(404, message="không tìm thấy hồ sơ với mã và số giấy tờ đã nhập", field="code")
        assert d is not None
        local = d.appointment_at.astimezone(LOCAL_TZ).date() if d.appointment_at else None
        appointment = d.new_due_date or local
        return {"code": d.code, "status": d.status, "status_name": STATUS_NAMES[d.status],
                "appointment_date": appointment}
