"""POST /api/v1/what-if: the operator's question, as JSON or a catalogue-format XLSX; answers JSON or XLSX."""
from __future__ import annotations

from typing import Any

from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from deadline.repository import SqlRepository
from deadline.whatif.inputs import ProposalError, period_from, procedures_from_xlsx, proposal_from
from deadline.whatif.model import DossierFacts, Period
from deadline.whatif.report import run_whatif
from deadline.whatif.source import period_facts
from deadline.whatif.xlsx import workbook
from dunghan.calendar import CalendarRangeError
from dunghan.deadline.durations import UNITS
from dunghan.web.auth import current_principal, require_agency, require_auth

blp = Blueprint("whatif", __name__, url_prefix="/api/v1", description="Phân tích giả định thời hạn giải quyết")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OUT_REF = {"$ref": "#/components/schemas/WhatIfOut"}
BINARY = {"schema": {"type": "string", "format": "binary"}}
CLOCK = r"^([01]?[0-9]|2[0-3]):[0-5][0-9]$"


class ChangeIn(Schema):
    committed_value = fields.Float(required=True, validate=validate.Range(min=0, max=365, min_inclusive=False))
    committed_unit = fields.String(load_default="working_days", validate=validate.OneOf(UNITS))
    cutoff = fields.String(load_default=None, validate=validate.Regexp(CLOCK))


class WhatIfIn(Schema):
    first = fields.Date(data_key="from", load_default=None, metadata={"description": "Ngày đầu kỳ"})
    last = fields.Date(data_key="to", load_default=None, metadata={"description": "Ngày cuối kỳ"})
    agency = fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    target = fields.Float(load_default=None, validate=validate.Range(min=0, max=1, min_inclusive=False))
    procedures = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=64)),
                             values=fields.Nested(ChangeIn), load_default=dict,
                             metadata={"description": "Thời hạn cam kết đề xuất theo mã thủ tục"})
    cutoff = fields.String(load_default=None, validate=validate.Regexp(CLOCK),
                           metadata={"description": "Giờ chốt tiếp nhận đề xuất cho mọi thủ tục (HH:MM)"})
    windows = fields.List(fields.List(fields.String(validate=validate.Regexp(CLOCK)), validate=validate.Length(
        equal=2)), load_default=None, validate=validate.Length(min=1, max=6),
        metadata={"description": "Khung giờ làm việc đề xuất, ví dụ "
                  "[[\"07:30\",\"11:30\"],[\"13:00\",\"17:00\"]]"})


class WhatIfQuery(Schema):
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "xlsx"]))
    first = fields.Date(data_key="from", load_default=None)
    last = fields.Date(data_key="to", load_default=None)
    agency = fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    target = fields.Float(load_default=None, validate=validate.Range(min=0, max=1, min_inclusive=False))


class DurationOut(Schema):
    value = fields.Float()
    unit = fields.String()


class FiguresOut(Schema):
    early = fields.Integer()
    on_time = fields.Integer()
    late = fields.Integer()
    on_time_rate = fields.Float(allow_none=True)
    pending_in_time = fields.Integer()
    pending_overdue = fields.Integer()
    indicator_2_1 = fields.Float(allow_none=True, metadata={"description": "Chỉ tiêu 2.1 QĐ 766/QĐ-TTg"})
    resolution_hours_median = fields.Float(allow_none=True)
    resolution_hours_p90 = fields.Float(allow_none=True)


class GroupOut(Schema):
    dossiers = fields.Integer()
    resolved = fields.Integer()
    pending = fields.Integer()
    before = fields.Nested(FiguresOut, metadata={"description": "Hiện nay"})
    after = fields.Nested(FiguresOut, metadata={"description": "Theo đề xuất"})
    newly_late = fields.Integer()


class PointOut(DurationOut):
    on_time_rate = fields.Float(allow_none=True)
    late = fields.Integer()


class ProcedureOut(GroupOut):
    procedure_code = fields.String()
    name = fields.String()
    field = fields.String()
    statutory = fields.Nested(DurationOut)
    committed = fields.Nested(DurationOut)
    proposed = fields.Nested(DurationOut, allow_none=True)
    shortest = fields.Nested(PointOut, allow_none=True,
                             metadata={"description": "Thời hạn ngắn nhất giữ tỷ lệ đúng hạn ≥ mục tiêu"})
    curve = fields.List(fields.Nested(PointOut))


class UnitOut(GroupOut):
    unit = fields.String()
    late_codes = fields.List(fields.String())


class LateOut(Schema):
    code = fields.String()
    unit = fields.String()
    procedure_code = fields.String()
    accepted_at = fields.DateTime()
    stopped_at = fields.DateTime()
    due_at_before = fields.DateTime()
    due_at_after = fields.DateTime()
    late_days = fields.Integer()
    late_today = fields.Boolean()


class PeriodOut(Schema):
    first = fields.Date(data_key="from", attribute="from")
    last = fields.Date(data_key="to", attribute="to")


class RatesOut(Schema):
    before = fields.Float(allow_none=True)
    after = fields.Float(allow_none=True)


class WhatIfOut(Schema):
    agency = fields.String(allow_none=True)
    period = fields.Nested(PeriodOut)
    target = fields.Float()
    proposal = fields.Dict()
    total = fields.Nested(GroupOut)
    indicator_2_1 = fields.Nested(RatesOut)
    procedures = fields.List(fields.Nested(ProcedureOut))
    units = fields.List(fields.Nested(UnitOut))
    late_dossiers = fields.List(fields.Nested(LateOut))
    calendar_version = fields.String()


def load_facts(repo: Any, period: Period, agency: str | None, deps: Any, tz: Any) -> list[DossierFacts]:
    """The period's dossiers from the service's store: SQL, or a fake that offers ``whatif_facts``."""
    if isinstance(repo, SqlRepository):
        return period_facts(repo.engine, period, tz, agency=agency, rules_for=deps.rules.for_dossier)
    return list(repo.whatif_facts(period, tz, agency=agency, rules_for=deps.rules.for_dossier))


def _body(query: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    if request.mimetype in (XLSX_MIME, "multipart/form-data", "application/octet-stream"):
        upload = request.files.get("file")
        data = upload.read() if upload is not None else request.get_data()
        return {**body, "procedures": procedures_from_xlsx(data)}
    return body


@blp.route("/what-if")
class WhatIf(MethodView):
    @require_auth(role="operator")
    @blp.arguments(WhatIfQuery, location="query")
    @blp.arguments(WhatIfIn, location="json", required=False)
    @blp.response(200, WhatIfOut, description="Kết quả phân tích (JSON), hoặc bảng tính XLSX khi ?format=xlsx")
    @blp.doc(responses={"200": {"description": "Kết quả phân tích (JSON), hoặc bảng tính XLSX khi ?format=xlsx",
                                "content": {"application/json": {"schema": OUT_REF}, XLSX_MIME: BINARY}}},
             requestBody={"content": {XLSX_MIME: BINARY}})
    def post(self, query: dict[str, Any], body: dict[str, Any] | None) -> Any:
        """Nếu rút ngắn thời hạn cam kết: tính lại hạn và phân loại của mọi hồ sơ trong kỳ theo đề xuất (JSON,
        hoặc tệp XLSX theo mẫu nhập danh mục thủ tục: cột code, committed_value, committed_unit, cutoff; kỳ và
        cơ quan trong tham số truy vấn). Không thay đổi dữ liệu thật."""
        ctx = current_app.extensions["deadline"]
        try:
            merged = {k: v for k, v in query.items() if v is not None}
            merged |= {k: v for k, v in _body(query, body or {}).items() if v is not None}
            for key in ("first", "last"):
                if merged.get(key) is None:
                    raise ProposalError("bắt buộc", "from" if key == "first" else "to")
            period = period_from(merged["first"], merged["last"])
            proposal = proposal_from(merged.get("procedures") or {}, cutoff=merged.get("cutoff"),
                                     windows=merged.get("windows"), target=merged.get("target"))
        except ProposalError as exc:
            abort(422, message=str(exc), field=exc.field)
            raise
        principal = current_principal()
        agency = merged.get("agency") or (None if principal.cross_agency else principal.agency)
        if agency:
            require_agency(agency)
        calendar = ctx.deps.calendars.current()
        if period.first < calendar.first or period.last >= calendar.last:
            abort(422, message=f"kỳ phải nằm trong phạm vi lịch {calendar.first:%d/%m/%Y}–"
                  f"{calendar.last:%d/%m/%Y}",
                  field="from" if period.first < calendar.first else "to")
        try:
            facts = load_facts(ctx.repo, period, agency, ctx.deps, calendar.tz)
            result = run_whatif(facts, calendar, period, proposal)
        except CalendarRangeError:
            abort(422, message="kỳ hoặc hạn giải quyết nằm ngoài phạm vi lịch làm việc", field="from")
            raise
        result["agency"] = agency
        if query["format"] == "xlsx":
            name = f"whatif_{agency or 'all'}_{period.first:%Y%m%d}_{period.last:%Y%m%d}.xlsx"
            return Response(workbook(result, calendar.tz, agency), mimetype=XLSX_MIME,
                            headers={"Content-Disposition": f'attachment; filename="{name}"'})
        return result
