"""HTTP API of the reports: form 06a (JSON, CSV, the official XLSX) and the national service index."""
from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate, validates_schema

from dunghan.clock import LOCAL_TZ
from dunghan.contract import strict
from dunghan.web.auth import require_agency, require_auth
from scoring import api_schemas as out
from scoring import api_schemas_reports as report_out
from scoring import readers
from scoring.api import AGENCY_CODE, _now, _repo, attachment, deps
from scoring.export import CSV_MIME, XLSX_MIME, to_csv, to_xlsx
from scoring.export06a import SheetHeading, xlsx_06a
from scoring.form06a import COLUMNS_06A, GROUPINGS, TOTAL
from scoring.periods import PERIOD_HELP, period_of
from scoring.reports import COLUMNS_INDEX, DECISION_766, INDICATORS

blp = Blueprint("reports", __name__, url_prefix="/api/v1", description="Báo cáo Mẫu 06a và Bộ chỉ số phục vụ")


class Report06aQuery(Schema):
    agency = fields.String(required=True, validate=AGENCY_CODE)
    from_ = strict.Date(load_default=None, data_key="from", metadata={"description": "ngày đầu kỳ (kèm to)"})
    to = strict.Date(load_default=None, metadata={"description": "ngày cuối kỳ, tính cả ngày đó"})
    period = fields.String(load_default=None, validate=validate.Length(4, 8),
                           metadata={"description": PERIOD_HELP})
    by = fields.String(load_default="unit", validate=validate.OneOf(GROUPINGS),
                       metadata={"description": "unit: theo đơn vị; field: theo lĩnh vực"})
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv", "xlsx"]))

    @validates_schema
    def _span(self, data: dict[str, Any], **_: Any) -> None:
        strict.check_span(data.get("from_"), data.get("to"), "to")


class IndexQuery(Schema):
    agency = fields.String(required=True, validate=AGENCY_CODE)
    year = strict.QueryInteger(required=True, validate=validate.Range(2000, 2050))
    retroactive = fields.Boolean(load_default=False, metadata={
        "description": f"tính hồi tố các chỉ tiêu của {DECISION_766} cho năm trước khi áp dụng (tham khảo)"})
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv", "xlsx"]))


def _06a_file(report: readers.Report06a, rows: list[dict[str, Any]], fmt: str) -> Response:
    """Form 06a as the official XLSX or as CSV."""
    agency, period, by = report.agency, report.period, report.by
    name = f"06a_{agency}_{by}_{period.start:%Y%m%d}_{period.end:%Y%m%d}"
    if fmt == "xlsx":
        settings = deps().settings
        heading = SheetHeading(settings.agency_name(agency), period, by, settings.report_place,
                               _now().astimezone(LOCAL_TZ).date(), sum(report.refused_at_intake.values()))
        return attachment(xlsx_06a(report.rows, heading), XLSX_MIME, f"{name}.xlsx")
    preamble = [f"Mẫu số 06a/VPCP/KSTT — {agency} — {period.title}"]
    return attachment(to_csv([("stt", "STT"), *COLUMNS_06A], rows, preamble=preamble), CSV_MIME, f"{name}.csv")


def _06a(report: readers.Report06a, fmt: str) -> Any:
    rows = [{"stt": i if r.key != TOTAL else None, report.by: r.key, **r.as_dict()}
            for i, r in enumerate(report.rows, start=1)]
    if fmt != "json":
        return _06a_file(report, rows, fmt)
    period, refused = report.period, report.refused_at_intake
    return {"agency": report.agency, "from": period.start.isoformat(), "to": period.end.isoformat(),
            "period": period.label or None, "by": report.by, "columns": dict(COLUMNS_06A), "rows": rows,
            "refused_at_intake": {"total": sum(refused.values()), "by_unit": refused}}


def _index(report: readers.IndexReport, fmt: str) -> Any:
    rows = [m.as_dict() for m in report.months]
    columns = [c for c in COLUMNS_INDEX if report.with_766 or c[0] in _BASIC]
    name = f"chiso_{report.agency}_{report.year}"
    heading = f"Chỉ số phục vụ — {report.agency} — năm {report.year}"
    if fmt == "csv":
        return attachment(to_csv(columns, rows, preamble=[heading, *report.notes]), CSV_MIME, f"{name}.csv")
    if fmt == "xlsx":
        return attachment(to_xlsx(columns, rows, title=name, heading=heading, notes=report.notes), XLSX_MIME,
                          f"{name}.xlsx")
    return {
        "agency": report.agency, "year": report.year, "decision": DECISION_766,
        "applies": report.applies_766, "retroactive": report.with_766 and not report.applies_766,
        "columns": dict(columns), "months": rows, "notes": report.notes,
        "indicators": [{"key": k, "label": label, "basis": basis, "formula": formula}
                       for k, label, basis, formula in INDICATORS if report.with_766 or k in _BASIC],
    }


_FILES = "Số liệu (JSON), hoặc tệp khi `format=csv` / `xlsx`"


@blp.route("/reports/06a")
@require_auth()
@blp.arguments(Report06aQuery, location="query")
@blp.response(200, report_out.Report06aOut, description=_FILES)
@blp.doc(**out.files(CSV_MIME, XLSX_MIME, description=_FILES))
def get_06a(query: dict[str, Any]) -> Any:
    """Mẫu 06a/VPCP/KSTT: tình hình, kết quả giải quyết TTHC theo đơn vị hoặc lĩnh vực, trong kỳ bất kỳ hoặc
    kỳ báo cáo chính thức (Nghị định 09/2019/NĐ-CP)."""
    require_agency(query["agency"])
    period = period_of(period=query["period"], start=query["from_"], end=query["to"])
    return _06a(readers.report_06a(_repo(), query["agency"], period, query["by"]), query["format"])


@blp.route("/reports/index")
@require_auth()
@blp.arguments(IndexQuery, location="query")
@blp.response(200, report_out.IndexOut, description=_FILES)
@blp.doc(**out.files(CSV_MIME, XLSX_MIME, description=_FILES))
def get_index(query: dict[str, Any]) -> Any:
    """Bộ chỉ số phục vụ (QĐ 766/QĐ-TTg ngày 23/6/2022): 2.1, 2.2, 3.3, 5.4 theo tháng và cả năm; cho năm trước
    khi áp dụng chỉ các số liệu đã có quy định (hoặc tính hồi tố để tham khảo khi ``retroactive``)."""
    require_agency(query["agency"])
    report = readers.report_index(_repo(), query["agency"], query["year"], _now().date(),
                                  retroactive=query["retroactive"])
    return _index(report, query["format"])


_BASIC = frozenset({"month", "received", "received_in_period", "resolved", "pending", "refused", "on_time_rate"})
