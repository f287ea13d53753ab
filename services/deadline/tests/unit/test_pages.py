from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from deadline_factories import accepted, at, cloud, supplement_requested
from deadline_fakes import FakeMetrics, FakeRepository

from deadline import handlers
from deadline.app import create_app
from deadline.config import Settings
from deadline.handlers import CalendarSource, Deps
from dunghan.calendar import load_calendar
from dunghan.web.pages import PagesSettings
from dunghan.web.pages.directory import load_directory

ORG = Path(__file__).parents[3] / "intake/src/intake/data/org_sct.yaml"
BASE = load_calendar(years=range(2016, 2027))
NOW = at(2024, 5, 9, 10)


@pytest.fixture
def client():
    repo = FakeRepository()
    deps = Deps(CalendarSource(BASE, repo.notices), metrics=FakeMetrics())
    u = {"unit": "SCT-QLTM", "officer": "SCT-QLTM-02"}
    for e in (accepted("A", at(2024, 5, 6), **u), accepted("B", at(2024, 5, 2), **u),
              accepted("C", at(2024, 5, 6), days=10, **u), accepted("D", at(2024, 5, 6), **u),
              supplement_requested("D", at(2024, 5, 7)), replace(accepted("X", at(2024, 5, 6)), agency="XYZ")):
        handlers.handle_event(cloud(e), repo, deps, e.occurred_at)
    pages = PagesSettings(secret_key="s", dev_login=True, org_file=str(ORG), roles="SCT-VP-02:leadership")
    app = create_app(Settings(migrate=False, pages=pages), repo=repo, deps=deps, clock=lambda: NOW,
                     directory=load_directory(str(ORG), pages.roles))
    return app.test_client()


def sign_in(client, officer: str, next_: str = "/") -> None:
    page = client.get("/dang-nhap").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post("/dang-nhap/dev", data={"csrf_token": token, "officer": officer, "next": next_})
    assert r.status_code == 302


def test_a_page_sends_an_anonymous_visitor_to_the_sign_in_with_the_way_back(client):
    r = client.get("/ho-so/A")
    assert r.status_code == 302 and r.headers["Location"] == "/dang-nhap?next=%2Fho-so%2FA"


def test_the_dossier_page_explains_the_due_instant_in_vietnamese(client):
    sign_in(client, "SCT-QLTM-01")
    r = client.get("/ho-so/A")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "text/html" in r.content_type
    assert "Hồ sơ A" in html and "Cách tính hạn" in html and "17:00 thứ Năm, 09/05/2024" in html
    assert r.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    cookie = r.request.headers.get("Cookie", "")
    assert cookie.startswith("dunghan_deadline=")


def test_another_agencys_dossier_and_an_unknown_one_are_html_errors(client):
    sign_in(client, "SCT-QLTM-01")
    other = client.get("/ho-so/X")
    assert other.status_code == 403 and "Không có quyền" in other.get_data(as_text=True)
    assert client.get("/ho-so/NOPE").status_code == 404


def test_a_form_without_the_session_token_is_refused(client):
    sign_in(client, "SCT-QLTM-01")
    assert client.post("/dang-xuat", data={}).status_code == 400
    assert client.get("/ho-so/A").status_code == 200


def test_the_development_sign_in_is_refused_off_this_machine(client):
    page = client.get("/dang-nhap").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post("/dang-nhap/dev", data={"csrf_token": token, "officer": "SCT-VP-01"},
                    environ_overrides={"REMOTE_ADDR": "10.1.2.3"})
    assert r.status_code == 404


def test_the_development_sign_in_cannot_be_enabled_with_an_identity_provider():
    from dunghan.web.pages import PagesConfigError
    with pytest.raises(PagesConfigError):
        PagesSettings.from_env({"PAGES_DEV_LOGIN": "1", "OIDC_ISSUER": "https://id.example", "OIDC_CLIENT_ID": "x",
                                "PAGES_SECRET_KEY": "k"})


def test_the_session_cookie_is_http_only_and_same_site_lax(client):
    page = client.get("/dang-nhap").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post("/dang-nhap/dev", data={"csrf_token": token, "officer": "SCT-VP-01", "next": "//evil.example"})
    assert r.headers["Location"] == "/"
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_the_unit_board_splits_the_digest_list_and_sorts(client):
    sign_in(client, "SCT-VP-02")  # leadership: any unit of the agency
    html = client.get("/don-vi?unit=SCT-QLTM&sort=ma").get_data(as_text=True)
    assert "Đến hạn hôm nay" in html and "Quá hạn" in html and "Chờ tổ chức, cá nhân bổ sung" in html
    assert client.get("/don-vi?unit=NOPE").status_code == 404


def test_unconfigured_pages_say_so_and_let_nobody_in() -> None:
    repo = FakeRepository()
    app = create_app(Settings(migrate=False), repo=repo, deps=Deps(CalendarSource(BASE, repo.notices)),
                     clock=lambda: NOW)
    c = app.test_client()
    assert "chưa được cấu hình" in c.get("/dang-nhap").get_data(as_text=True)
    assert c.get("/ho-so/A").status_code == 302
    assert c.post("/dang-nhap/dev", data={"officer": "SCT-VP-01"}).status_code in (400, 404)
    assert c.get("/dang-nhap/oidc").status_code == 404
