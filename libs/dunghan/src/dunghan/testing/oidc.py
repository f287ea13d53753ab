"""A tiny OpenID Connect provider on loopback for tests: discovery, authorize (signs in the configured user at
once), token (an RS256-signed ID token carrying the nonce), JWKS — real HTTP, its own keys."""
from __future__ import annotations

import secrets
import threading
import time
from typing import Any
from urllib.parse import urlencode

from flask import Flask, abort, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server


class FakeOidcProvider:
    def __init__(self, client_id: str = "dunghan", client_secret: str = "secret") -> None:
        self.client_id, self.client_secret = client_id, client_secret
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"})
        self.user: dict[str, Any] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.tokens_issued = 0
        self.app = self._build()
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeOidcProvider:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()

    def _build(self) -> Flask:
        app = Flask("fake_oidc")

        @app.get("/.well-known/openid-configuration")
        def discovery() -> Any:
            return jsonify({"issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
                            "token_endpoint": f"{self.issuer}/token", "jwks_uri": f"{self.issuer}/jwks",
                            "response_types_supported": ["code"],
                            "subject_types_supported": ["public"],
                            "id_token_signing_alg_values_supported": ["RS256"],
                            "token_endpoint_auth_methods_supported": ["client_secret_basic",
                                                                      "client_secret_post"]})

        @app.get("/jwks")
        def jwks() -> Any:
            return jsonify({"keys": [self.key.as_dict(private=False)]})

        @app.get("/authorize")
        def authorize() -> Any:
            if request.args.get("client_id") != self.client_id or not self.user:
                abort(400)
            code = secrets.token_urlsafe(16)
            self.codes[code] = {"nonce": request.args.get("nonce"), "redirect_uri": request.args["redirect_uri"]}
            query = urlencode({"code": code, "state": request.args.get("state", "")})
            return redirect(f"{request.args['redirect_uri']}?{query}")

        @app.post("/token")
        def token() -> Any:
            auth = request.authorization
            cid, secret = (auth.username, auth.password) if auth else (request.form.get("client_id"),
                                                                       request.form.get("client_secret"))
            grant = self.codes.pop(request.form.get("code", ""), None)
            if (cid, secret) != (self.client_id, self.client_secret) or grant is None:
                return jsonify({"error": "invalid_grant"}), 400
            now = int(time.time())
            claims = {"iss": self.issuer, "aud": self.client_id, "iat": now, "exp": now + 300,
                      "nonce": grant["nonce"], **self.user}
            id_token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, self.key)
            self.tokens_issued += 1
            return jsonify({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 300,
                            "id_token": id_token})

        return app
