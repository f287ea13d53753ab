"""Who is signed in: the session cookie names an officer; the pages act as that officer (agency and role)."""
from __future__ import annotations

import functools
import hmac
import secrets
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from flask import abort, current_app, g, redirect, request, session

from dunghan.web.auth import Principal
from dunghan.web.pages.directory import Directory, Person

F = TypeVar("F", bound=Callable[..., Any])
EXTENSION = "dunghan_pages"
API_ROLES = {"operator": "operator", "union": "union", "leadership": "leadership"}  # others act as themselves


def directory() -> Directory:
    return current_app.extensions[EXTENSION].directory  # type: ignore[no-any-return]


def sign_in(person: Person) -> None:
    """A new session (nothing of a previous one kept) naming the officer, with a fresh CSRF token."""
    session.clear()
    session["person"] = person.code
    session["csrf"] = secrets.token_urlsafe(32)
    session.permanent = True


def current_person() -> Person | None:
    if "person" in g:
        return g.person  # type: ignore[no-any-return]
    code = session.get("person")
    person = directory().by_code(code) if isinstance(code, str) else None
    g.person = person
    return person


def principal_of(person: Person) -> Principal:
    """The API principal the pages call the service's own endpoints with: the officer's code, agency and role."""
    return Principal(person.code, person.agency, API_ROLES.get(person.role, person.role))


def safe_next(target: str | None) -> str:
    """Only a path of this site: never another host (``//host``, ``/\\host``, a scheme)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")) or "\n" in target:
        return "/"
    return target


def signin_url() -> str:
    return "/dang-nhap?" + urlencode({"next": request.full_path.rstrip("?")})


def require_person(*roles: str) -> Callable[[F], F]:
    """Page decorator: a signed-in officer (else to the sign-in page), in one of ``roles`` when given (operators
    pass every role); the API called from the page sees that officer as its principal."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            person = current_person()
            if person is None:
                return redirect(signin_url())
            if roles and person.role not in roles and person.role != "operator":
                abort(403, description="Trang này dành cho: " + ", ".join(roles))
            g.principal = principal_of(person)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


def csrf_token() -> str:
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def check_csrf() -> None:
    """Every form POST of a page carries the session's token (SameSite=Lax is the second line)."""
    sent = request.form.get("csrf_token", "")
    token = session.get("csrf")
    if not isinstance(token, str) or not hmac.compare_digest(sent.encode(), token.encode()):
        abort(400, description="Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ; hãy tải lại trang.")
