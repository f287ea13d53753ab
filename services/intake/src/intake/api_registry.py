"""Registry endpoints: procedure catalogue (effective-dated, YAML/CSV import), problem reports, org admin."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict
from typing import Any, TypeVar

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from dunghan.clock import LOCAL_TZ
from dunghan.web.auth import current_principal, require_agency, require_auth
from intake.api_schemas import (
    AgencySchema,
    ImportResultSchema,
    OfficerSchema,
    OrgQuerySchema,
    ProblemInSchema,
    ProblemSchema,
    ProcedureInSchema,
    ProcedureQuerySchema,
    ProcedureSchema,
    UnitSchema,
)
from intake.context import ctx, fail
from intake.domain import InboundError, VersionSpan, effective_version
from intake.records import Agency, Officer, Unit
from intake.registry import (
    add_procedure_version,
    check_unit_refs,
    import_catalogue,
    parse_catalogue_csv,
    parse_catalogue_yaml,
    procedure_from_mapping,
    procedure_to_dict,
    record_problem,
    save_officer,
    save_unit,
)

blp = Blueprint("registry", __name__, url_prefix="/api/v1", description="Thủ tục, cơ quan, đơn vị, cán bộ")
SECURED: list[dict[str, list[str]]] = [{"apiKey": []}]
AGENCY_RE = re.compile(r"[A-Z][A-Z0-9]{1,9}")
CODE_RE = re.compile(r"[A-Z0-9][A-Za-z0-9._-]{0,49}")
R = TypeVar("R", Unit, Officer)


def check_path_code(code: str, agency: bool = False) -> None:
    """A code in the path must fit its column: agency codes 2–10 capitals and digits, unit and officer codes
    1–50 ASCII letters, digits, '.', '_', '-' (nothing after the last one, not even a newline)."""
    if not (AGENCY_RE if agency else CODE_RE).fullmatch(code):
        abort(422, message=f"mã không hợp lệ: {code[:60]!r}", field="code")


def _put_org(record: R, save: Callable[..., Any], check: Callable[[Any, R], None] | None = None) -> dict[str, Any]:
    """Store a unit or officer sent to ``PUT .../<code>`` of its agency, and announce it."""
    check_path_code(record.code)
    require_agency(record.agency)
    c = ctx()
    try:
        with c.repo.transaction() as tx:
            if check is not None:
                check(tx, record)
            save(tx, record, now=c.clock())
    except InboundError as exc:
        fail(exc)
    return asdict(record)


@blp.route("/procedures")
class Procedures(MethodView):
    @require_auth()
    @blp.doc(security=SECURED)
    @blp.arguments(ProcedureQuerySchema, location="query")
    @blp.response(200, ProcedureSchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """Các thủ tục đang có hiệu lực (vào ngày ``on``, mặc định hôm nay)."""
        c = ctx()
        on = args.get("on") or c.clock().astimezone(LOCAL_TZ).date()
        out = []
        with c.repo.transaction() as tx:
            for code in tx.list_procedure_codes(args.get("agency")):
                versions = tx.procedure_versions(code)
                spans = [VersionSpan(v.version, v.effective_from, v.effective_to, v.abolished) for v in versions]
                chosen = effective_version(spans, on)
                if chosen is not None:
                    out.append(procedure_to_dict(next(v for v in versions if v.version == chosen.version)))
        return out

    @require_auth(role="operator")
    @blp.doc(security=SECURED)
    @blp.arguments(ProcedureInSchema)
    @blp.response(201, ProcedureSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Thêm một phiên bản thủ tục (mới, sửa đổi, hoặc bãi bỏ với ``abolished``) có hiệu lực từ một ngày."""
        require_agency(body["agency"])
        c = ctx()
        try:
            proposed = procedure_from_mapping(body)
            with c.repo.transaction() as tx:
                stored, _ = add_procedure_version(tx, proposed, now=c.clock())
        except InboundError as exc:
            fail(exc)
        return procedure_to_dict(stored)


@blp.route("/procedures/import")
class ProcedureImport(MethodView):
    @require_auth(role="operator")
    @blp.doc(security=SECURED, requestBody={"required": True, "content": {
        "application/yaml": {"schema": {"type": "string"}}, "text/csv": {"schema": {"type": "string"}}}})
    @blp.response(200, ImportResultSchema)
    def post(self) -> Any:
        """Nạp danh mục thủ tục từ tệp YAML hoặc CSV (theo Content-Type); nạp lại không tạo phiên bản trùng."""
        text = request.get_data(as_text=True)
        parse = parse_catalogue_csv if "csv" in (request.content_type or "") else parse_catalogue_yaml
        try:
            procedures = parse(text)
        except InboundError as exc:
            fail(exc)
        except Exception as exc:  # YAML or CSV syntax, a missing column
            abort(400, message=f"không đọc được tệp: {type(exc).__name__}", field="body")
        for agency in sorted({p.agency for p in procedures}):
            require_agency(agency)
        try:
            return import_catalogue(ctx().repo, procedures, now=ctx().clock())
        except InboundError as exc:
            fail(exc)


@blp.route("/procedures/<code>")
class ProcedureOne(MethodView):
    @require_auth()
    @blp.doc(security=SECURED)
    @blp.response(200, ProcedureSchema(many=True))
    def get(self, code: str) -> Any:
        """Mọi phiên bản của một thủ tục, theo thứ tự."""
        with ctx().repo.transaction() as tx:
            versions = tx.procedure_versions(code)
        if not versions:
            abort(404, message=f"không có thủ tục {code}", field="code")
        return [procedure_to_dict(v) for v in versions]


@blp.route("/procedures/<code>/problems")
class Problems(MethodView):
    @require_auth()
    @blp.doc(security=SECURED)
    @blp.response(200, ProblemSchema(many=True))
    def get(self, code: str) -> Any:
        """Các vướng mắc, bất cập đã ghi nhận với thủ tục."""
        with ctx().repo.transaction() as tx:
            return [asdict(p) for p in tx.list_problems(code)]

    @require_auth()
    @blp.doc(security=SECURED)
    @blp.arguments(ProblemInSchema)
    @blp.response(201, ProblemSchema)
    def post(self, body: dict[str, Any], code: str) -> Any:
        """Ghi nhận một vướng mắc (bất cập) với thủ tục để báo cáo lên cấp trên."""
        p = current_principal()
        c = ctx()
        try:
            report = record_problem(c.repo, code, p.agency, p.name, body["summary"], body["details"],
                                    now=c.clock())
        except InboundError as exc:
            fail(exc)
        return asdict(report)


@blp.route("/agencies")
class Agencies(MethodView):
    @require_auth()
    @blp.doc(security=SECURED)
    @blp.response(200, AgencySchema(many=True))
    def get(self) -> Any:
        """Các cơ quan."""
        with ctx().repo.transaction() as tx:
            return [asdict(a) for a in tx.list_agencies()]


@blp.route("/agencies/<code>")
class AgencyOne(MethodView):
    @require_auth(role="operator")
    @blp.doc(security=SECURED)
    @blp.arguments(AgencySchema)
    @blp.response(200, AgencySchema)
    def put(self, body: dict[str, Any], code: str) -> Any:
        """Tạo hoặc sửa một cơ quan."""
        check_path_code(code, agency=True)
        require_agency(code, field="code")
        agency = Agency(code, body["name"])
        with ctx().repo.transaction() as tx:
            tx.save_agency(agency)
        return asdict(agency)


@blp.route("/units")
class Units(MethodView):
    @require_auth()
    @blp.doc(security=SECURED)
    @blp.arguments(OrgQuerySchema, location="query")
    @blp.response(200, UnitSchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """Các đơn vị (phòng, ban) và trưởng đơn vị."""
        with ctx().repo.transaction() as tx:
            return [asdict(u) for u in tx.list_units(args.get("agency"))]


@blp.route("/units/<code>")
class UnitOne(MethodView):
    @require_auth(role="operator")
    @blp.doc(security=SECURED)
    @blp.arguments(UnitSchema)
    @blp.response(200, UnitSchema)
    def put(self, body: dict[str, Any], code: str) -> Any:
        """Tạo hoặc sửa một đơn vị (phát sự kiện UnitUpdated)."""
        return _put_org(Unit(code=code, **body), save_unit, check=check_unit_refs)


@blp.route("/officers")
class Officers(MethodView):
    @require_auth()
    @blp.doc(security=SECURED)
    @blp.arguments(OrgQuerySchema, location="query")
    @blp.response(200, OfficerSchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """Cán bộ; thư điện tử và số điện thoại chỉ hiện cho vai trò operator."""
        principal = current_principal()
        with ctx().repo.transaction() as tx:
            found = tx.list_officers(args.get("agency"), args.get("unit"))
        return [asdict(o) if principal.is_operator and principal.may_act_for(o.agency)
                else {**asdict(o), "email": None, "phone": None} for o in found]


@blp.route("/officers/<code>")
class OfficerOne(MethodView):
    @require_auth(role="operator")
    @blp.doc(security=SECURED)
    @blp.arguments(OfficerSchema)
    @blp.response(200, OfficerSchema)
    def put(self, body: dict[str, Any], code: str) -> Any:
        """Tạo hoặc sửa một cán bộ (phát sự kiện OfficerUpdated)."""
        return _put_org(Officer(code=code, **body), save_officer)

