"""API keys: sha256-hashed, each naming an agency and a role. ``system`` (a departmental system), ``operator``,
``union`` and ``leadership`` (scoring's reward workflow) keys act for their own agency only; ``admin`` (an
operator of every agency) is the one explicit cross-agency role."""
from __future__ import annotations

import copy
import functools
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from flask import current_app, g, request
from flask_smorest import abort

F = TypeVar("F", bound=Callable[..., Any])


ROLES = ("system", "operator", "union", "leadership", "admin")
SECURITY: list[dict[str, list[str]]] = [{"apiKey": []}]  # the bearer scheme each protected operation declares


@dataclass(frozen=True)
class Principal:
    name: str
    agency: str
    role: str  # one of ROLES

    @property
    def is_operator(self) -> bool:
        return self.role in ("operator", "admin")

    @property
    def cross_agency(self) -> bool:
        return self.role == "admin"

    def may_act_for(self, agency: str) -> bool:
        return self.cross_agency or self.agency == agency


class KeyStore(Protocol):
    def lookup(self, key_sha256: str) -> Principal | None: ...


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class StaticKeyStore:
    """Keys from configuration: ``name:agency:role:sha256hex`` entries separated by ``;`` or newlines."""

    def __init__(self, entries: dict[str, Principal]) -> None:
        self._entries = entries

    @classmethod
    def from_spec(cls, spec: str) -> StaticKeyStore:
        entries: dict[str, Principal] = {}
        for raw in spec.replace("\n", ";").split(";"):
            if not raw.strip():
                continue
            name, agency, role, digest = (p.strip() for p in raw.split(":"))
            if role not in ROLES:
                raise ValueError(f"API_KEYS: {name}: role must be one of {', '.join(ROLES)}")
            entries[digest.lower()] = Principal(name, agency, role)
        return cls(entries)

    def lookup(self, key_sha256: str) -> Principal | None:
        for digest, principal in self._entries.items():
            if hmac.compare_digest(digest, key_sha256):
                return principal
        return None


def _presented_key() -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.headers.get("X-API-Key") or None


def authenticate() -> Principal:
    """The caller's principal, or abort 401."""
    if "principal" in g:
        return g.principal  # type: ignore[no-any-return]
    key = _presented_key()
    store: KeyStore = current_app.extensions["dunghan_keystore"]
    principal = store.lookup(hash_key(key)) if key else None
    if principal is None:
        abort(401, message="thiếu hoặc sai khóa API (Authorization: Bearer <key>)", field="Authorization")
    g.principal = principal
    return principal  # type: ignore[return-value]


def require_auth(role: str | None = None) -> Callable[[F], F]:
    """View decorator: a valid key, and the role when one is named (operators pass every role check but
    ``admin``, admins every one; the agency is checked by the view)."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            principal = authenticate()
            if role and principal.role != role and not (principal.is_operator and role != "admin"):
                abort(403, message=f"cần vai trò {role}", field="Authorization")
            return view(*args, **kwargs)

        doc = copy.deepcopy(getattr(wrapped, "_apidoc", {}))  # flask-smorest's documentation of the view
        doc.setdefault("manual_doc", {}).setdefault("security", SECURITY)
        wrapped._apidoc = doc  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorate


def current_principal() -> Principal:
    return authenticate()


def require_agency(agency: str, field: str = "agency") -> None:
    """Abort 403 unless the caller acts for ``agency`` (its own, or every agency with the ``admin`` role)."""
    principal = authenticate()
    if not principal.may_act_for(agency):
        abort(403, message="không được truy cập hồ sơ của cơ quan khác", field=field)
