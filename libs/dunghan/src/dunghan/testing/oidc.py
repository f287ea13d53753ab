"""The demonstration identity provider on loopback for tests: real HTTP, its own keys; ``user`` (when set) is
signed in at once without the chooser."""
from __future__ import annotations

import threading
from typing import Any

from werkzeug.serving import make_server

from dunghan.web.pages.demo_idp import Client, DemoProvider
from dunghan.web.pages.directory import Directory


class FakeOidcProvider:
    def __init__(self, client_id: str = "dunghan", client_secret: str = "secret",
                 directory: Directory | None = None, redirect_prefixes: tuple[str, ...] = ("http://",
                                                                                           "https://")) -> None:
        self.provider = DemoProvider(issuer="", clients={client_id: Client(client_secret, redirect_prefixes)},
                                     directory=directory or Directory())
        self._server = make_server("127.0.0.1", 0, self.provider.app, threaded=True)
        self.provider.issuer = self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def user(self) -> dict[str, Any]:
        return self.provider.user

    @user.setter
    def user(self, claims: dict[str, Any]) -> None:
        self.provider.user = claims

    @property
    def tokens_issued(self) -> int:
        return self.provider.tokens_issued

    def __enter__(self) -> FakeOidcProvider:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
