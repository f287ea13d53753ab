"""The campaign pages on PostgreSQL: phases, standings with the score's make-up, the proposal workflow from the
system's draft to the leadership's decision (CSRF-protected forms), 06a on screen and as XLSX."""
from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from dunghan.web import hash_key
from dunghan.web.pages import PagesSettings
from dunghan.web.pages.directory import load_directory
from scoring.app import create_app
from scoring.config import Settings
from scoring.repository import SqlRepository

from .test_campaign_flow import CAMPAIGN, fill_phase_1  # type: ignore[import-not-found]

pytestmark = pytest.mark.integration
ORG = Path(__file__).parents[3] / "intake/src/intake/data/org_sct.yaml"
PAGE = f"/thi-dua/{CAMPAIGN}/dot/1"


def app_for(repo: SqlRepository):  # type: ignore[no-untyped-def]
    pages = PagesSettings(secret_key="s", dev_login=True, org_file=str(ORG), roles="SCT-VP-02:leadership")
    settings = Settings(api_keys=f"ops:SCT:operator:{hash_key('ops-key')}", pages=pages)
    return create_app(settings, repo=repo, clock=lambda: datetime(2017, 7, 3, tzinfo=UTC),
                      directory=load_directory(str(ORG), pages.roles))


def token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def sign_in(c, officer: str) -> str:  # type: ignore[no-untyped-def]
    signed_in = c.get("/thi-dua")
    if signed_in.status_code == 200:
        out = c.post("/dang-xuat", data={"csrf_token": token(signed_in.get_data(as_text=True))})
        assert out.status_code == 302
    page = c.get("/dang-nhap").get_data(as_text=True)
    assert c.post("/dang-nhap/dev", data={"csrf_token": token(page), "officer": officer}).status_code == 302
    return token(c.get("/thi-dua").get_data(as_text=True))


def test_a_phase_review_and_a_proposal_from_draft_to_decision_on_screen(repo: SqlRepository) -> None:
    fill_phase_1(repo)
    app = app_for(repo)
    api = app.test_client()
    assert api.post(f"/api/v1/campaigns/{CAMPAIGN}/phases/1/close",
                    headers={"Authorization": "Bearer ops-key"}).status_code == 200
    c = app.test_client()
    csrf = sign_in(c, "SCT-VP-03")  # the union's contact
    home = c.get("/thi-dua").get_data(as_text=True)
    assert "Đã sơ kết (đóng băng)" in home and "Tổng kết cả phong trào" in home
    units = c.get(PAGE).get_data(as_text=True)
    assert "Thành phần điểm" in units and ("Đủ điều kiện" in units or "Chưa đủ" in units)
    officers = c.get(f"{PAGE}?kind=officer").get_data(as_text=True)
    assert "Nguyễn Văn An" in officers and "Đính chính sau sơ kết" in officers
    review = c.get(f"{PAGE}/khen-thuong").get_data(as_text=True)
    assert "Dự thảo của hệ thống" in review and "Hệ thống lập dự thảo" in review

    assert c.post(f"{PAGE}/khen-thuong/them", data={"kind": "officer", "subject": "binh"}).status_code == 400
    added = c.post(f"{PAGE}/khen-thuong/them", data={
        "csrf_token": csrf, "kind": "officer", "subject": "SCT-VP-04", "title": "Giấy khen (cá nhân)",
        "reason": "Nhân tố điển hình của đợt"})
    assert added.status_code == 303
    page = c.get(added.headers["Location"]).get_data(as_text=True)
    assert "Phạm Minh Tuấn" in page and "Đã thêm đề nghị." in page
    refused = c.post(f"{PAGE}/khen-thuong/1/bot", data={"csrf_token": csrf, "reason": "x"})
    assert refused.status_code == 422 and "reason" not in refused.get_data(as_text=True).split("role=\"alert\"")[0]
    assert c.post(f"{PAGE}/khen-thuong/1/bot", data={"csrf_token": csrf, "reason": "Đã khen ở cấp trên"}
                  ).status_code == 303
    assert c.post(f"{PAGE}/khen-thuong/quyet-dinh", data={"csrf_token": csrf, "decision_number": "1",
                                                          "decision_date": "2017-07-10"}).status_code == 403
    assert c.post(f"{PAGE}/khen-thuong/trinh", data={"csrf_token": csrf}).status_code == 303

    csrf = sign_in(c, "SCT-VP-02")  # the leadership
    decided = c.post(f"{PAGE}/khen-thuong/quyet-dinh", data={
        "csrf_token": csrf, "decision_number": "25/QĐ-SCT", "decision_date": "2017-07-10"})
    assert decided.status_code == 303
    final = c.get(f"{PAGE}/khen-thuong").get_data(as_text=True)
    assert "Quyết định số 25/QĐ-SCT ngày 10/07/2017" in final
    for action in ("Thêm đề nghị", "Bớt đề nghị", "Trình Lãnh đạo", "Quyết định khen thưởng"):
        assert action in final
    assert "Lê Thị Mỹ Linh (union)" in final and "Trần Văn Hùng (leadership)" in final
    docx = c.get(f"{PAGE}/khen-thuong.docx")
    assert docx.status_code == 200 and docx.data[:2] == b"PK"
    assert "attachment" in docx.headers["Content-Disposition"]


def test_form_06a_on_screen_and_as_the_official_workbook(repo: SqlRepository) -> None:
    fill_phase_1(repo)
    c = app_for(repo).test_client()
    sign_in(c, "SCT-QLTM-01")
    page = c.get("/bao-cao/06a?from=2017-03-01&to=2017-06-29")
    assert page.status_code == 200 and "Mẫu số 06a/VPCP/KSTT" in page.get_data(as_text=True)
    xlsx = c.get("/bao-cao/06a.xlsx?from=2017-03-01&to=2017-06-29")
    assert xlsx.status_code == 200
    assert load_workbook(io.BytesIO(xlsx.data)).active.max_row > 5
    bad = c.get("/bao-cao/06a?from=2017-06-29&to=2017-03-01")
    assert bad.status_code == 422 and "text/html" in bad.content_type
    assert c.get("/bao-cao/chi-so?year=2017").status_code == 200
    assert c.get("/bao-cao/chi-so.csv?year=2017").status_code == 200
