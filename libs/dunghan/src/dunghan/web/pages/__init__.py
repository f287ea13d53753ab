"""Staff pages shared by the services: the Vietnamese base layout, sign-in (OpenID Connect or ``make dev``'s),
the session, CSRF, and in-process calls of the service's own API."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import Blueprint, Flask, render_template, request
from werkzeug.exceptions import HTTPException

from dunghan.clock import LOCAL_TZ
from dunghan.web.pages.directory import Directory, Person, load_directory
from dunghan.web.pages.session import check_csrf, csrf_token, current_person, require_person
from dunghan.web.pages.settings import PagesConfigError, PagesSettings

__all__ = ["Directory", "PagesConfigError", "PagesSettings", "Person", "install_pages", "page_blueprint",
           "require_person"]
PAGE_BLUEPRINTS = "dunghan_page_blueprints"


@dataclass
class PagesState:
    settings: PagesSettings
    directory: Directory
    oauth: Any = None
    service: str = ""
    idp_failed_at: float = float("-inf")


def install_pages(app: Flask, settings: PagesSettings, *, service: str, directory: Directory | None = None,
                  nav: list[tuple[str, str]] | None = None) -> None:
    """Sign-in, session and the shared layout on ``app``; the service then registers its ``page_blueprint``s."""
    from dunghan.web.pages.signin import bp

    app.config.update(SECRET_KEY=settings.secret_key or None, SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=settings.cookie_secure,
                      SESSION_COOKIE_NAME=f"dunghan_{service}", PERMANENT_SESSION_LIFETIME=timedelta(hours=10))
    state = PagesState(settings, directory or load_directory(settings.org_file, settings.roles), service=service)
    if settings.oidc_issuer:
        from authlib.integrations.flask_client import OAuth

        state.oauth = OAuth(app)
        state.oauth.register(
            "province", client_id=settings.oidc_client_id, client_secret=settings.oidc_client_secret,
            server_metadata_url=f"{settings.oidc_issuer}/.well-known/openid-configuration",
            client_kwargs={"scope": "openid email profile"})
    app.extensions["dunghan_pages"] = state
    app.extensions[PAGE_BLUEPRINTS] = {bp.name}
    app.register_blueprint(bp)
    app.register_error_handler(HTTPException, _dispatch_error(app))
    app.jinja_env.globals.update(csrf_token=csrf_token, current_person=current_person, nav=nav or [],
                                 service=service)
    app.jinja_env.filters.update(when=when, day=day, hours=hours, num=num)

    @app.before_request
    def _csrf() -> None:
        if request.method == "POST" and request.blueprint in app.extensions[PAGE_BLUEPRINTS]:
            check_csrf()

    @app.after_request
    def _headers(response: Any) -> Any:
        if request.blueprint in app.extensions[PAGE_BLUEPRINTS]:
            response.headers.setdefault("Content-Security-Policy",
                                        "default-src 'self'; frame-ancestors 'none'; form-action "
                                        + " ".join(_form_targets(state)))
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
            response.headers.setdefault("Referrer-Policy", "same-origin")
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def _form_targets(state: PagesState) -> list[str]:
    """Where a page's form may lead, redirects included: this site and the identity provider's sign-in and
    sign-out addresses (its browser-facing origin may differ from the issuer the service talks to)."""
    from dunghan.web.pages.signin import idp_endpoints, origin

    targets = ["'self'"]
    if state.oauth is not None:
        meta = idp_endpoints(state)
        found = {origin(str(meta.get(k) or "")) for k in ("authorization_endpoint", "end_session_endpoint")}
        targets += sorted(o for o in found | {origin(state.settings.oidc_issuer)} if o)
    return targets


def page_blueprint(app: Flask, bp: Blueprint) -> None:
    """Registers a service's pages: HTML errors, CSRF on every POST."""
    app.extensions[PAGE_BLUEPRINTS].add(bp.name)
    app.register_blueprint(bp)


def _dispatch_error(app: Flask) -> Any:
    """Pages answer errors in HTML; the API keeps its JSON errors."""
    api_handler = app.error_handler_spec.get(None, {}).get(None, {}).get(HTTPException)

    def handle(exc: HTTPException) -> Any:
        if request.blueprint in app.extensions[PAGE_BLUEPRINTS]:
            return render_template("pages/error.html", error=exc), exc.code or 500
        if api_handler is not None:
            return api_handler(exc)
        return exc

    return handle


def when(value: Any) -> str:
    """An instant as staff read it: 17:00 thứ Hai, 06/02/2017 (Vietnam time)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        local = value.astimezone(LOCAL_TZ) if value.tzinfo else value
        return f"{local:%H:%M} {_weekday(local.date())}, {local:%d/%m/%Y}"
    return day(value)


def day(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return f"{value:%d/%m/%Y}"


def hours(value: Any) -> str:
    """Working hours as days and hours (8 working hours a day)."""
    if value is None:
        return "—"
    total = round(float(value))
    d, h = divmod(abs(total), 8)
    parts = ([f"{d} ngày"] if d else []) + ([f"{h} giờ"] if h or not d else [])
    return " ".join(parts) + " làm việc"


def num(value: Any, digits: int = 2) -> str:
    """A number as Vietnamese forms write it: 1.234,5 (dot for thousands, comma for decimals)."""
    if value is None or value == "":
        return "—"
    text = f"{round(float(value), digits):,.{digits}f}".rstrip("0").rstrip(".")
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def _weekday(d: date) -> str:
    return ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")[d.weekday()]
