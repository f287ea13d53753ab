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


def test_signing_out_ends_the_session_at_the_identity_provider_too(client, provider):
    provider.user = {"sub": "u-1", "email": "ha.ntt@sct.example.vn"}
    sign_in_through_the_provider(client)
    page = client.get("/trang")
    assert f"form-action 'self' {provider.issuer}" in page.headers["Content-Security-Policy"]
    with client.session_transaction() as s:
        token, csrf = s["id_token"], s["csrf"]
    out = client.post("/dang-xuat", data={"csrf_token": csrf})
    assert out.status_code == 302
    end = urlsplit(out.headers["Location"])
    query = parse_qs(end.query)
    assert f"{end.scheme}://{end.netloc}{end.path}" == f"{provider.issuer}/logout"
    assert query["id_token_hint"] == [token] and query["client_id"] == ["dunghan"]
    assert query["post_logout_redirect_uri"] == ["http://localhost/dang-nhap"]
    back = requests.get(out.headers["Location"], allow_redirects=False, timeout=10)
    assert back.status_code == 302 and back.headers["Location"] == "http://localhost/dang-nhap"
    assert client.get("/trang").status_code == 302


def test_the_demo_provider_lets_a_person_choose_an_officer_of_the_organisation() -> None:
    from dunghan.web.pages.demo_idp import Client, DemoProvider

    idp = DemoProvider(issuer="http://idp:9000", public_url="http://127.0.0.1:18090",
                       clients={"dunghan": Client("s", ("http://127.0.0.1:18002/",))},
                       directory=directory_from_org(ORG, {}))
    meta = idp.metadata()
    assert meta["authorization_endpoint"] == "http://127.0.0.1:18090/authorize"
    assert meta["token_endpoint"] == "http://idp:9000/token" and meta["issuer"] == "http://idp:9000"
    c = idp.app.test_client()
    args = {"client_id": "dunghan", "redirect_uri": "http://127.0.0.1:18002/dang-nhap/callback", "state": "st",
            "nonce": "n", "response_type": "code"}
    chooser = c.get("/authorize", query_string=args).get_data(as_text=True)
    assert "Lê Thị Mỹ Linh" in chooser and 'name="state" value="st"' in chooser
    assert c.get("/authorize", query_string={**args, "redirect_uri": "https://evil.example/cb"}).status_code == 400
    def code_for(officer: str) -> str:
        chosen = c.post("/authorize", data={**args, "officer": officer})
        return parse_qs(urlsplit(chosen.headers["Location"]).query)["code"][0]

    form = {"client_id": "dunghan", "client_secret": "s", "redirect_uri": args["redirect_uri"]}
    assert c.post("/token", data={**form, "code": code_for("SCT-VP-03"), "client_secret": "x"}).status_code == 400
    code = code_for("SCT-VP-03")
    issued = c.post("/token", data={**form, "code": code})
    assert issued.status_code == 200 and issued.json["id_token"]
    assert c.post("/token", data={**form, "code": code}).status_code == 400  # a code is used once
    assert c.get("/logout", query_string={"post_logout_redirect_uri": "https://evil.example/"}).status_code == 200
