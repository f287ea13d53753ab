"""Report pages: form 06a and the service index on screen, with the API's XLSX and CSV files to download."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request

from dunghan.clock import LOCAL_TZ
from dunghan.web.pages import require_person
from dunghan.web.pages.internal import ApiError, get_json
from dunghan.web.pages.session import current_person, directory
from scoring.api import _now
from scoring.form06a import COLUMNS_06A
from scoring.pages import passthrough
from scoring.reports import COLUMNS_INDEX

bp = Blueprint("scoring_report_pages", __name__, template_folder="templates")


def _06a_query() -> dict[str, Any]:
    me = current_person()
    assert me is not None
    today = _now().astimezone(LOCAL_TZ).date()
    return {"agency": me.agency, "from": request.args.get("from") or f"{today.year}-01-01",
            "to": request.args.get("to") or today.isoformat(),
            "by": "field" if request.args.get("by") == "field" else "unit"}


@bp.get("/bao-cao/06a")
@require_person()
def form_06a() -> Any:
    """Mẫu 06a/VPCP/KSTT for a period, by unit or by field."""
    q = _06a_query()
    report, error = None, None
    try:
        report = get_json("/api/v1/reports/06a", **q)
    except ApiError as exc:
        error = exc
    return render_template("scoring/report_06a.html", q=q, report=report, error=error, columns=COLUMNS_06A,
                           unit_name=directory().unit_name), (error.status if error else 200)


@bp.get("/bao-cao/06a.<fmt>")
@require_person()
def form_06a_file(fmt: str) -> Any:
    if fmt not in ("xlsx", "csv"):
        abort(404)
    return passthrough("/api/v1/reports/06a", {**_06a_query(), "format": fmt})


def _index_query() -> dict[str, Any]:
    me = current_person()
    assert me is not None
    year = request.args.get("year", "")
    return {"agency": me.agency, "year": year if year.isdigit() else str(_now().astimezone(LOCAL_TZ).year)}


@bp.get("/bao-cao/chi-so")
@require_person()
def index_report() -> Any:
    """Bộ chỉ số phục vụ (QĐ 766/QĐ-TTg) month by month."""
    q = _index_query()
    report, error = None, None
    try:
        report = get_json("/api/v1/reports/index", **q)
    except ApiError as exc:
        error = exc
    columns = [c for c in COLUMNS_INDEX if report and c[0] in report["columns"]]  # the form's order
    return render_template("scoring/report_index.html", q=q, report=report, error=error, columns=columns), \
        (error.status if error else 200)


@bp.get("/bao-cao/chi-so.<fmt>")
@require_person()
def index_file(fmt: str) -> Any:
    if fmt not in ("xlsx", "csv"):
        abort(404)
    return passthrough("/api/v1/reports/index", {**_index_query(), "format": fmt})
