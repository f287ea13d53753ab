"""A demonstration identity provider for ``make up``: OpenID Connect discovery, authorize (a chooser of the sample
organisation's officers), token (RS256 ID tokens carrying the nonce), JWKS and end-session, so the staff pages
sign in exactly as they will against the province's provider. Not for production: whoever reaches it may act as
any officer. ``public_url`` is where browsers reach it, ``issuer`` where the services do (inside Compose)."""
from __future__ import annotations

import html
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import Flask, abort, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import RSAKey

from dunghan.web.pages.directory import Directory, load_directory


@dataclass
class Client:
    secret: str
    redirect_prefixes: tuple[str, ...] = ()

    def allows(self, uri: str) -> bool:
        return bool(uri) and any(uri.startswith(p) for p in self.redirect_prefixes)


@dataclass
class DemoProvider:
    issuer: str
    clients: dict[str, Client]
    directory: Directory = field(default_factory=Directory)
    public_url: str = ""
    user: dict[str, Any] = field(default_factory=dict)  # when set, authorize signs this identity in at once
    tokens_issued: int = 0
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(
        2048, parameters={"kid": "demo-key", "use": "sig", "alg": "RS256"}))

    def __post_init__(self) -> None:
        self.codes: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self.app = self._build()

    def metadata(self) -> dict[str, Any]:
        browser = self.public_url or self.issuer
        return {"issuer": self.issuer, "authorization_endpoint": f"{browser}/authorize",
                "end_session_endpoint": f"{browser}/logout", "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks", "response_types_supported": ["code"],
                "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "email", "profile"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"]}

    def identity(self, code: str) -> dict[str, Any] | None:
        person = self.directory.by_code(code)
        if person is None:
            return None
        return {"sub": person.code, "preferred_username": person.code, "email": person.email,
                "name": person.full_name}

    def _grant(self, claims: dict[str, Any]) -> Any:
        code = secrets.token_urlsafe(24)
        with self._lock:
            self.codes[code] = {"nonce": request.values.get("nonce"), "client_id": request.values["client_id"],
                                "redirect_uri": request.values["redirect_uri"], "claims": claims}
        query = urlencode({"code": code, "state": request.values.get("state", "")})
        return redirect(f"{request.values['redirect_uri']}?{query}")

    def _build(self) -> Flask:
        app = Flask("dunghan_demo_idp")

        @app.get("/.well-known/openid-configuration")
        def discovery() -> Any:
            return jsonify(self.metadata())

        @app.get("/jwks")
        def jwks() -> Any:
            return jsonify({"keys": [self.key.as_dict(private=False)]})

        @app.route("/authorize", methods=["GET", "POST"])
        def authorize() -> Any:
            client = self.clients.get(request.values.get("client_id", ""))
            if client is None or not client.allows(request.values.get("redirect_uri", "")):
                abort(400, description="unknown client or redirect_uri")
            if self.user:
                return self._grant(dict(self.user))
            if request.method == "POST":
                claims = self.identity(request.form.get("officer", ""))
                if claims is None:
                    abort(400, description="choose an officer")
                return self._grant(claims)
            return _chooser(self.directory, request.args), 200, {"Content-Type": "text/html; charset=utf-8"}

        @app.post("/token")
        def token() -> Any:
            auth = request.authorization
            cid, secret = (auth.username, auth.password) if auth else (request.form.get("client_id"),
                                                                       request.form.get("client_secret"))
            client = self.clients.get(cid or "")
            with self._lock:
                grant = self.codes.pop(request.form.get("code", ""), None)
            if (client is None or not secrets.compare_digest(client.secret, secret or "") or grant is None
                    or grant["client_id"] != cid or grant["redirect_uri"] != request.form.get("redirect_uri")):
                return jsonify({"error": "invalid_grant"}), 400
            now = int(time.time())
            claims = {"iss": self.issuer, "aud": cid, "iat": now, "exp": now + 300, "nonce": grant["nonce"],
                      **grant["claims"]}
            id_token = jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, self.key)
            self.tokens_issued += 1
            return jsonify({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 300,
                            "id_token": id_token})

        @app.get("/logout")
        def logout() -> Any:
            target = request.args.get("post_logout_redirect_uri", "")
            if any(c.allows(target) for c in self.clients.values()):
                return redirect(target)
            return ("<!doctype html><html lang=vi><meta charset=utf-8><title>Đã đăng xuất</title>"
                    "<p>Đã đăng xuất khỏi nhà cung cấp định danh thử nghiệm.</p>", 200,
                    {"Content-Type": "text/html; charset=utf-8"})

        return app


def _chooser(directory: Directory, args: Any) -> str:
    keep = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                   for k, v in args.items() if k in ("client_id", "redirect_uri", "state", "nonce", "scope",
                                                     "response_type"))
    options = "".join(f'<option value="{html.escape(p.code)}">{html.escape(p.full_name)} — '
                      f'{html.escape(directory.unit_name(p.unit))} ({html.escape(p.role_label)})</option>'
                      for p in sorted(directory.people, key=lambda p: (p.unit, p.code)))
    return ("<!doctype html><html lang=vi><meta charset=utf-8>"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<title>Nhà cung cấp định danh thử nghiệm</title><main><h1>Đăng nhập (thử nghiệm)</h1>"
            "<p>Nhà cung cấp định danh dùng cho bản chạy thử <code>make up</code>: chọn cán bộ để đăng nhập. "
            "Khi triển khai thật, thay bằng hệ thống định danh của tỉnh (OIDC_ISSUER).</p>"
            f'<form method="post" action="/authorize">{keep}<label for="officer">Cán bộ</label> '
            f'<select id="officer" name="officer" required>{options}</select> '
            '<button type="submit">Đăng nhập</button></form></main>')


def from_env(env: Any = None) -> DemoProvider:
    e = os.environ if env is None else env
    prefixes = tuple(u.strip() for u in e.get("DEMO_IDP_REDIRECT_URIS", "").split(",") if u.strip())
    client = Client(e["DEMO_IDP_CLIENT_SECRET"], prefixes)
    return DemoProvider(issuer=e["DEMO_IDP_ISSUER"].rstrip("/"),
                        clients={e.get("DEMO_IDP_CLIENT_ID", "dunghan"): client},
                        directory=load_directory(e.get("PAGES_ORG_FILE", ""), e.get("PAGES_ROLES", "")),
                        public_url=e.get("DEMO_IDP_PUBLIC_URL", "").rstrip("/"))


def main() -> None:
    from werkzeug.serving import run_simple

    provider = from_env()
    run_simple(os.environ.get("DEMO_IDP_HOST", "0.0.0.0"), int(os.environ.get("DEMO_IDP_PORT", "9000")),
               provider.app, threaded=True)
