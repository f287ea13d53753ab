"""Sign-in with OpenID Connect against a fake provider served on loopback (real HTTP, signed ID tokens)."""
from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from flask import Blueprint

from dunghan.testing.oidc import FakeOidcProvider
from dunghan.web.app import create_base_app
from dunghan.web.pages import PagesSettings, install_pages, page_blueprint, require_person
from dunghan.web.pages.directory import directory_from_org
from dunghan.web.pages.session import current_person

ORG = {"agency": {"code": "SCT"}, "union": {"contact": "SCT-VP-03"},
       "units": [{"code": "SCT-VP", "name": "Văn phòng", "head": "SCT-VP-01", "officers": [
           {"code": "SCT-VP-01", "full_name": "Nguyễn Thị Thu Hà", "email": "ha.ntt@sct.example.vn"},
           {"code": "SCT-VP-02", "full_name": "Trần Văn Hùng", "email": "hung.tv@sct.example.vn"},
           {"code": "SCT-VP-03", "full_name": "Lê Thị Mỹ Linh", "email": "linh.ltm@sct.example.vn"}]}]}


@pytest.fixture
def provider():
    with FakeOidcProvider() as p:
        yield p


@pytest.fixture
def client(provider):
    app, _ = create_base_app("test", title="t")
    settings = PagesSettings.from_env({"OIDC_ISSUER": provider.issuer, "OIDC_CLIENT_ID": "dunghan",
                                       "OIDC_CLIENT_SECRET": "secret", "PAGES_SECRET_KEY": "k",
                                       "PAGES_ROLES": "SCT-VP-02:leadership"})
    install_pages(app, settings, service="test", directory=directory_from_org(ORG, {"SCT-VP-02": "leadership"}))
    bp = Blueprint("t_pages", __name__)

    @bp.get("/trang")
    @require_person()
    def page() -> Any:
        me = current_person()
        assert me is not None
        return f"{me.code} {me.role} {me.agency}"

    page_blueprint(app, bp)
    return app.test_client()


def sign_in_through_the_provider(client, next_: str = "/trang"):
    start = client.get(f"/dang-nhap/oidc?next={next_}")
    assert start.status_code == 302
    at_provider = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302
    back = urlsplit(at_provider.headers["Location"])
    assert back.path == "/dang-nhap/callback" and "code" in parse_qs(back.query)
    return client.get(f"{back.path}?{back.query}")


def test_an_officer_signs_in_with_the_province_identity_and_gets_the_organisations_role(client, provider):
    provider.user = {"sub": "u-1", "email": "HUNG.TV@sct.example.vn"}
    done = sign_in_through_the_provider(client)
    assert done.status_code == 302 and done.headers["Location"] == "/trang"
    assert client.get("/trang").get_data(as_text=True) == "SCT-VP-02 leadership SCT"
    assert provider.tokens_issued == 1


def test_the_unit_head_and_the_union_contact_come_from_the_organisation(client, provider):
    provider.user = {"sub": "u-3", "email": "linh.ltm@sct.example.vn"}
    sign_in_through_the_provider(client)
    assert client.get("/trang").get_data(as_text=True) == "SCT-VP-03 union SCT"


def test_an_identity_outside_the_organisation_is_refused(client, provider):
    provider.user = {"sub": "u-9", "email": "someone@elsewhere.example"}
    done = sign_in_through_the_provider(client)
    assert done.status_code == 403
    assert client.get("/trang").status_code == 302


def test_a_callback_with_a_forged_state_signs_nobody_in(client, provider):
    provider.user = {"sub": "u-1", "email": "ha.ntt@sct.example.vn"}
    client.get("/dang-nhap/oidc?next=/trang")
    assert client.get("/dang-nhap/callback?code=abc&state=forged").status_code == 401
    assert client.get("/trang").status_code == 302


def test_the_development_sign_in_is_not_offered_with_an_identity_provider(client):
    assert client.post("/dang-nhap/dev", data={"officer": "SCT-VP-01"}).status_code in (400, 404)
    assert "Đăng nhập thử" not in client.get("/dang-nhap").get_data(as_text=True)


def test_behind_a_proxy_the_redirect_uri_is_the_published_address(provider) -> None:
    app, _ = create_base_app("test", title="t")
    settings = PagesSettings.from_env({"OIDC_ISSUER": provider.issuer, "OIDC_CLIENT_ID": "dunghan",
                                       "OIDC_CLIENT_SECRET": "secret", "PAGES_SECRET_KEY": "k",
                                       "PAGES_EXTERNAL_URL": "https://dunghan.tinh.example/"})
    install_pages(app, settings, service="test", directory=directory_from_org(ORG, {}))
    start = app.test_client().get("/dang-nhap/oidc")
    query = parse_qs(urlsplit(start.headers["Location"]).query)
    assert query["redirect_uri"] == ["https://dunghan.tinh.example/dang-nhap/callback"]
    assert "Secure" in start.headers["Set-Cookie"]
