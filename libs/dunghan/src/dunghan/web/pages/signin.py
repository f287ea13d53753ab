"""Sign-in: OpenID Connect against the province's identity provider (Authlib), or the development sign-in of
``make dev`` (loopback only, refused when an identity provider is configured)."""
from __future__ import annotations

import ipaddress
import logging
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for

from dunghan.web.pages.session import check_csrf, current_person, directory, safe_next, sign_in

log = logging.getLogger(__name__)
IDP_RETRY_SECONDS = 30.0
bp = Blueprint("pages_auth", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/pages")


def _state() -> Any:
    return current_app.extensions["dunghan_pages"]


@bp.get("/dang-nhap")
def signin() -> Any:
    """The sign-in page: the province's identity provider, or (``make dev``) a chooser of officers."""
    state = _state()
    nxt = safe_next(request.args.get("next"))
    if current_person() is not None:
        return redirect(nxt)
    people = sorted(directory().people, key=lambda p: (p.unit, p.code)) if _dev_allowed() else []
    return render_template("pages/signin.html", next=nxt, oidc=bool(state.settings.oidc_issuer),
                           dev=_dev_allowed(), people=people, configured=state.settings.enabled,
                           unit_name=directory().unit_name)


@bp.get("/dang-nhap/oidc")
def oidc_start() -> Any:
    state = _state()
    if state.oauth is None:
        abort(404)
    session["next"] = safe_next(request.args.get("next"))
    base = state.settings.external_url
    callback = f"{base}/dang-nhap/callback" if base else url_for("pages_auth.oidc_callback", _external=True)
    return state.oauth.province.authorize_redirect(callback)


@bp.get("/dang-nhap/callback")
def oidc_callback() -> Any:
    state = _state()
    if state.oauth is None:
        abort(404)
    try:
        token = state.oauth.province.authorize_access_token()
    except Exception as exc:  # a forged or stale state, a bad signature, an expired token, the IdP refusing
        log.warning("sign-in refused: %s", type(exc).__name__)
        abort(401, description="Đăng nhập không thành công; hãy thử lại.")
    claims = token.get("userinfo") or {}
    claim = state.settings.oidc_claim
    person = directory().by_claim(claim, str(claims.get(claim) or ""))
    if person is None:
        log.warning("sign-in: identity not in the organisation (claim %s)", claim)
        abort(403, description="Tài khoản chưa được gắn với cán bộ nào trong cơ cấu tổ chức của Sở.")
    nxt = safe_next(session.get("next"))
    sign_in(person)
    session["id_token"] = token.get("id_token", "")
    log.info("signed in %s (%s)", person.code, person.role)
    return redirect(nxt)


def _dev_allowed() -> bool:
    if not _state().settings.dev_login:
        return False
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


@bp.post("/dang-nhap/dev")
def dev_signin() -> Any:
    """Development sign-in (``PAGES_DEV_LOGIN=1``, from this machine only): act as the chosen officer."""
    if not _dev_allowed():
        abort(404)
    check_csrf()
    person = directory().by_code(request.form.get("officer", ""))
    if person is None:
        abort(400, description="Chọn một cán bộ trong danh sách.")
    sign_in(person)
    return redirect(safe_next(request.form.get("next")))


@bp.post("/dang-xuat")
def signout() -> Any:
    """Signs out here and, when the identity provider offers it, there too (OpenID Connect RP-initiated
    logout): the next sign-in asks the provider again instead of passing straight through."""
    check_csrf()
    id_token = session.get("id_token", "")
    session.clear()
    here = _absolute(url_for("pages_auth.signin"))
    end = idp_endpoints(_state()).get("end_session_endpoint")
    if not end:
        return redirect(here)
    query = {"post_logout_redirect_uri": here, "client_id": _state().settings.oidc_client_id}
    if id_token:
        query["id_token_hint"] = id_token
    return redirect(f"{end}?{urlencode(query)}")


def _absolute(path: str) -> str:
    base = _state().settings.external_url
    return f"{base}{path}" if base else request.host_url.rstrip("/") + path


def idp_endpoints(state: Any) -> dict[str, Any]:
    """The provider's discovery document (fetched once, then kept by Authlib); empty without a provider or
    while it cannot be reached."""
    if state.oauth is None or time.monotonic() - state.idp_failed_at < IDP_RETRY_SECONDS:
        return {}
    try:
        return dict(state.oauth.province.load_server_metadata())
    except Exception as exc:  # the provider is down: sign-out still works here, the CSP stays strict
        state.idp_failed_at = time.monotonic()
        log.warning("identity provider metadata unavailable: %s", type(exc).__name__)
        return {}


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""
