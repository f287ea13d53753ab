"""A database outage answers 503 with ``Retry-After`` and the JSON error on every web endpoint of every service,
never 500: the database refuses connections (as while it restarts) and the pooled sessions are terminated."""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

pytestmark = pytest.mark.integration

KEY = "outage-operator-key"
API_KEYS = f"ops:SCT:operator:{hashlib.sha256(KEY.encode()).hexdigest()}"


def _intake(env: dict[str, str]) -> Flask:
    from intake.app import create_app
    from intake.config import Settings

    return create_app(Settings.from_env(env))


def _deadline(env: dict[str, str]) -> Flask:
    from deadline.app import create_app
    from deadline.config import Settings

    return create_app(Settings.from_env(env))


def _scoring(env: dict[str, str]) -> Flask:
    from scoring.app import create_app
    from scoring.config import Settings

    return create_app(Settings.from_env(env))


def _notify(env: dict[str, str]) -> Flask:
    from notify.app import create_app
    from notify.config import Settings

    return create_app(Settings.from_env(env))


APPS: dict[str, Callable[[dict[str, str]], Flask]] = {
    "intake": _intake, "deadline": _deadline, "scoring": _scoring, "notify": _notify}


def _refuse_connections(url: str, admin_url: str) -> Callable[[], None]:
    """New sessions refused ("database does not allow connections"), open ones terminated; returns the undo."""
    name = make_url(url).database
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false'))
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                     {"n": name})

    def undo() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true'))
        admin.dispose()

    return undo


def _requests(app: Flask) -> list[tuple[str, str]]:
    spec: dict[str, Any] = app.test_client().get("/openapi.json").get_json()
    found = []
    for path, operations in spec["paths"].items():
        for method in operations:
            if method in ("get", "post", "put", "patch", "delete"):
                found.append((method, re.sub(r"\{[^}]+\}", "1", path)))
    return found


@pytest.mark.parametrize("service", sorted(APPS))
def test_every_endpoint_answers_503_with_retry_after_while_the_database_is_down(
        service, make_database, database_admin_url, amqp_url):
    url = make_database(f"outage_{service}")
    app = APPS[service]({"DATABASE_URL": url, "AMQP_URL": amqp_url, "API_KEYS": API_KEYS})
    client = app.test_client()
    with app.app_context():
        assert client.get("/readyz").status_code == 200
    undo = _refuse_connections(url, database_admin_url)
    try:
        headers = {"Authorization": f"Bearer {KEY}"}
        answers = {}
        for method, path in _requests(app):
            response = client.open(path, method=method.upper(), headers=headers,
                                   json={} if method != "get" else None)
            answers[(method, path)] = response
            assert response.status_code != 500, (method, path, response.get_data(as_text=True))
            if response.status_code == 503:
                assert response.headers["Retry-After"].isdigit()
                assert response.get_json()["error"]["code"] == "database_unavailable"
        unavailable = [key for key, r in answers.items() if r.status_code == 503]
        reads = [key for key in answers if key[0] == "get"]
        assert len(unavailable) >= len(reads) // 2, sorted(unavailable)
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.get_json()["failed"]["database"]
    finally:
        undo()
