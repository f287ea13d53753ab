"""POST /api/v1/what-if over the fake repository: JSON and XLSX in, JSON and XLSX out, errors naming the field."""
from __future__ import annotations

import io

import pytest
from deadline_fakes import FakeRepository
from openpyxl import Workbook, load_workbook
from whatif_support import CALENDAR, feed, year

from deadline.app import create_app
from deadline.config import Settings
from deadline.handlers import CalendarSource, Deps
from deadline.whatif.api import XLSX_MIME
from dunghan.web.auth import hash_key

SPEC = ";".join([f"sct:SCT:system:{hash_key('k-sys')}", f"op:SCT:operator:{hash_key('k-op')}",
                 f"xyz:XYZ:operator:{hash_key('k-xyz')}", f"adm:ALL:admin:{hash_key('k-adm')}"])
QUESTION = {"from": "2017-01-01", "to": "2017-12-31", "agency": "SCT",
            "procedures": {"SCT-TM-01": {"committed_value": 7, "committed_unit": "working_days"}}}


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture(scope="module")
def client():
    repo = FakeRepository()
    deps = Deps(CalendarSource(CALENDAR, repo.notices))
    facts = tuple(d for d in year() if d.procedure.code in ("SCT-TM-01", "SCT-XT-01"))[:40]
    feed(facts, repo, deps)
    app = create_app(Settings(api_keys=SPEC, migrate=False), repo=repo, deps=deps)
    return app.test_client()


def test_json_question_answers_per_procedure_unit_and_lists_the_late(client) -> None:
    r = client.post("/api/v1/what-if", json=QUESTION, headers=auth("k-op"))
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["agency"] == "SCT" and body["period"] == {"from": "2017-01-01", "to": "2017-12-31"}
    tm01 = next(p for p in body["procedures"] if p["procedure_code"] == "SCT-TM-01")
    assert tm01["proposed"] == {"value": 7.0, "unit": "working_days"} and tm01["curve"]
    assert body["total"]["after"]["late"] == len(body["late_dossiers"])
    assert sum(len(u["late_codes"]) for u in body["units"]) == len(body["late_dossiers"])
    assert body["indicator_2_1"]["after"] <= body["indicator_2_1"]["before"]


def test_only_an_operator_of_the_agency_may_ask(client) -> None:
    assert client.post("/api/v1/what-if", json=QUESTION).status_code == 401
    assert client.post("/api/v1/what-if", json=QUESTION, headers=auth("k-sys")).status_code == 403
    assert client.post("/api/v1/what-if", json=QUESTION, headers=auth("k-xyz")).status_code == 403
    assert client.post("/api/v1/what-if", json=QUESTION, headers=auth("k-adm")).status_code == 200


@pytest.mark.parametrize(("change", "field"), [
    ({"from": None}, "from"),
    ({"to": "2016-01-01"}, "to"),
    ({"target": 1.5}, "target"),
    ({"cutoff": "25:00"}, "cutoff"),
    ({"windows": [["11:30", "07:30"]]}, "windows.0"),
    ({"procedures": {"SCT-TM-01": {"committed_value": -1}}}, "procedures"),
    ({"procedures": {"SCT-TM-01": {"committed_value": 7, "committed_unit": "weeks"}}}, "procedures"),
])
def test_bad_input_is_a_4xx_naming_the_field(client, change, field) -> None:
    body = {k: v for k, v in {**QUESTION, **change}.items() if v is not None}
    r = client.post("/api/v1/what-if", json=body, headers=auth("k-op"))
    assert 400 <= r.status_code < 500
    error = r.get_json()["error"]
    assert error["field"].startswith(field), error
    assert error["message"]


def _catalogue_xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["code", "name", "field", "statutory_value", "committed_value", "committed_unit", "cutoff"])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_xlsx_proposal_in_the_catalogue_format_and_xlsx_export(client) -> None:
    data = _catalogue_xlsx([["SCT-TM-01", "Cấp Giấy phép bán buôn sản phẩm rượu", "x", 15, 7, "working_days",
                             None]])
    r = client.post("/api/v1/what-if?from=2017-01-01&to=2017-12-31&agency=SCT", data=data,
                    content_type=XLSX_MIME, headers=auth("k-op"))
    assert r.status_code == 200, r.get_json()
    by_json = client.post("/api/v1/what-if", json=QUESTION, headers=auth("k-op")).get_json()
    assert r.get_json()["total"] == by_json["total"]
    x = client.post("/api/v1/what-if?format=xlsx", json=QUESTION, headers=auth("k-op"))
    assert x.status_code == 200 and x.mimetype == XLSX_MIME
    wb = load_workbook(io.BytesIO(x.data))
    assert wb.sheetnames == ["Tổng hợp", "Theo thủ tục", "Theo đơn vị", "Hồ sơ trễ hạn", "Tỷ lệ theo thời hạn"]
    charted = [p for p in by_json["procedures"] if p["resolved"]]
    assert len(wb["Tỷ lệ theo thời hạn"]._charts) == len(charted) > 0  # one chart per procedure
    late_rows = list(wb["Hồ sơ trễ hạn"].iter_rows(min_row=2, values_only=True))
    assert len(late_rows) == len(by_json["late_dossiers"])


def test_an_xlsx_without_the_columns_names_them(client) -> None:
    wb = Workbook()
    wb.active.append(["ma", "thoi_han"])
    out = io.BytesIO()
    wb.save(out)
    r = client.post("/api/v1/what-if?from=2017-01-01&to=2017-12-31", data=out.getvalue(), content_type=XLSX_MIME,
                    headers=auth("k-op"))
    assert r.status_code == 422 and r.get_json()["error"]["field"] == "file.code"
    r = client.post("/api/v1/what-if?from=2017-01-01&to=2017-12-31", data=b"not a workbook",
                    content_type=XLSX_MIME, headers=auth("k-op"))
    assert r.status_code == 422 and r.get_json()["error"]["field"] == "file"


@pytest.mark.parametrize(("first", "last", "field"), [
    ("1990-01-01", "1990-12-31", "from"), ("9999-12-30", "9999-12-31", "to"), ("2017-01-01", "2027-12-31", "to")])
def test_a_period_beyond_the_calendar_is_refused(client, first, last, field) -> None:
    r = client.post("/api/v1/what-if", json={**QUESTION, "from": first, "to": last}, headers=auth("k-op"))
    assert r.status_code == 422 and r.get_json()["error"]["field"] == field


def test_a_period_without_dossiers_answers_zeros(client) -> None:
    r = client.post("/api/v1/what-if", json={**QUESTION, "from": "2019-01-01", "to": "2019-06-30"},
                    headers=auth("k-op"))
    assert r.status_code == 200
    body = r.get_json()
    assert body["total"]["dossiers"] == 0 and body["late_dossiers"] == []
    assert body["indicator_2_1"] == {"before": None, "after": None}
    assert client.post("/api/v1/what-if?format=xlsx", json={**QUESTION, "from": "2019-01-01", "to": "2019-06-30"},
                       headers=auth("k-op")).status_code == 200
