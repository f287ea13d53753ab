"""The base Flask app of a service's web process."""
from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, Response, g, jsonify, request
from flask.json.provider import DefaultJSONProvider
from flask_smorest import Api
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from werkzeug.exceptions import BadRequest, HTTPException

from dunghan.contract import safejson
from dunghan.metrics import HTTP_REQUEST_DURATION, run_scrape_hooks
from dunghan.metrics_process import WebProcessCollector
from dunghan.web.auth import KeyStore, StaticKeyStore
from dunghan.web.errors import ErrorSchema, error_response, handle_http_exception, is_unavailable, unavailable

ReadinessCheck = Callable[[], None]
STORABLE = "dữ liệu chứa ký tự không hợp lệ (NUL hoặc mã Unicode lỗi)"


class _Api(Api):
    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error: HTTPException) -> Any:  # type: ignore[override]
        return handle_http_exception(error)


def create_base_app(
    service: str,
    *,
    title: str,
    version: str = "1.0.0",
    readiness: Mapping[str, ReadinessCheck] | None = None,
    keystore: KeyStore | None = None,
    multiproc_dir: str | None = None,
    max_content_length: int = 1_048_576,
    description: str = "",
) -> tuple[Flask, Api]:
    app = Flask(service)
    app.json_provider_class = SafeJSONProvider
    app.json = SafeJSONProvider(app)
    app.config.update(
        API_TITLE=title, API_VERSION=version, OPENAPI_VERSION="3.0.3", OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json", MAX_CONTENT_LENGTH=max_content_length, JSON_AS_ASCII=False,
        API_SPEC_OPTIONS={
            "info": {"description": description},
            "components": {"securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer"}}},
        },
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["dunghan_keystore"] = keystore or StaticKeyStore({})
    api = _Api(app)
    checks = dict(readiness or {})

    @app.get("/healthz")
    def healthz() -> Any:
        return jsonify({"status": "ok", "service": service})

    @app.get("/readyz")
    def readyz() -> Any:
        failed: dict[str, str] = {}
        for name, check in checks.items():
            try:
                check()
            except Exception as exc:
                failed[name] = type(exc).__name__
        if failed:
            return jsonify({"status": "unavailable", "failed": failed}), 503
        return jsonify({"status": "ready", "checks": sorted(checks)})

    @app.get("/metrics")
    def metrics() -> Response:
        run_scrape_hooks()
        if multiproc_dir:
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry, path=multiproc_dir)
            registry.register(WebProcessCollector())
            data = generate_latest(registry)
        else:
            data = generate_latest()
        return Response(data, mimetype=CONTENT_TYPE_LATEST)

    @app.before_request
    def _start_timer() -> Any:
        g.request_started = time.perf_counter()
        bad = unstorable_input()
        if bad is not None:
            return error_response(400, bad[1], field=bad[0])
        return None

    @app.after_request
    def _observe(response: Response) -> Response:
        started = g.get("request_started")
        if started is not None and request.path != "/metrics":
            route = request.url_rule.rule if request.url_rule else "unmatched"
            HTTP_REQUEST_DURATION.labels(service, request.method, route, str(response.status_code)).observe(
                time.perf_counter() - started
            )
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        if isinstance(exc, HTTPException):
            return handle_http_exception(exc)
        if is_unavailable(exc):
            app.logger.warning("database unavailable on %s: %s", request.path, type(exc).__name__)
            return unavailable()
        app.logger.exception("unhandled error on %s", request.path)
        return error_response(500, "lỗi hệ thống")

    return app, api


class SafeJSONProvider(DefaultJSONProvider):
    """Request bodies are decoded by ``dunghan.contract.safejson``: bounded depth and digits, storable text."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return safejson.loads(s)


def unstorable_input() -> tuple[str, str] | None:
    """(field, reason) where the request carries what no service accepts: text PostgreSQL cannot store in the
    path or the query, or a JSON body beyond ``safejson``'s bounds; None when it is clean."""
    if safejson.unstorable(request.path) is not None:
        return "path", STORABLE
    for key, values in request.args.lists():
        if safejson.unstorable([key, *values]) is not None:
            return key if safejson.unstorable(key) is None else "query", STORABLE
    if request.is_json and request.content_length != 0:
        try:
            request.get_json(silent=False)
        except BadRequest as exc:
            cause: BaseException | None = exc
            while cause is not None and not isinstance(cause, safejson.UnsafeJson):
                cause = cause.__cause__ or cause.__context__
            if isinstance(cause, safejson.UnsafeJson) and not cause.not_json:
                return cause.field, cause.reason
    return None


def db_check(engine: Any) -> ReadinessCheck:
    def check() -> None:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")

    return check


def amqp_check(amqp_url: str, cache_seconds: float = 5.0) -> ReadinessCheck:
    """Opens (and closes) a broker connection; a success is remembered for ``cache_seconds``."""
    last_ok = [0.0]

    def check() -> None:
        if time.monotonic() - last_ok[0] < cache_seconds:
            return
        import pika

        params = pika.URLParameters(amqp_url)
        params.socket_timeout = 2
        params.blocked_connection_timeout = 2
        params.connection_attempts = 1
        pika.BlockingConnection(params).close()
        last_ok[0] = time.monotonic()

    return check
