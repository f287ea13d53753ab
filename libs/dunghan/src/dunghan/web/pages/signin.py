"""Sign-in: OpenID Connect against the province's identity provider (Authlib), or the development sign-in of
``make dev`` (loopback only, refused when an identity provider is configured)."""
from __future__ import annotations

import ipaddress
import logging
from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for

from dunghan.web.pages.session import check_csrf, current_person, directory, safe_next, sign_in

log = logging.getLogger(__name__)
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
    check_csrf()
    session.clear()
    return redirect(url_for("pages_auth.signin"))
