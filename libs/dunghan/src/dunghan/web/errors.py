"""One JSON error shape for every 4xx/5xx: {"error": {"code", "message", "field"}}."""
from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from marshmallow import Schema, fields
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type", 422: "validation_error",
    429: "too_many_requests", 500: "internal_error", 503: "unavailable",
}


class ErrorBodySchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    field = fields.String(required=True, allow_none=True)
    details = fields.Raw(allow_none=True)


class ErrorSchema(Schema):
    """The documented error payload (flask-smorest's ``ERROR_SCHEMA``): what ``error_response`` sends."""

    error = fields.Nested(ErrorBodySchema, required=True)


def first_field(messages: Any, prefix: str = "") -> tuple[str | None, str]:
    """The first offending field of marshmallow's nested messages, as a dotted path, and its message."""
    if isinstance(messages, dict) and messages:
        key, value = next(iter(messages.items()))
        if key in ("json", "query", "form", "headers", "files", "path", "view_args"):
            return first_field(value, prefix)
        return first_field(value, f"{prefix}.{key}" if prefix else str(key))
    if isinstance(messages, list) and messages:
        return (prefix or None), str(messages[0])
    return (prefix or None), str(messages)


def error_response(status: int, message: str, *, field: str | None = None, code: str | None = None,
                   details: Any = None) -> tuple[Response, int]:
    body: dict[str, Any] = {"code": code or CODES.get(status, "error"), "message": message, "field": field}
    if details is not None:
        body["details"] = details
    return jsonify({"error": body}), status


RETRY_AFTER_SECONDS = 5
# The database refused or lost the connection (restart, failover, terminated session, "the database system is
# starting up"), no pooled connection came free in time, or the transaction lost a deadlock or serialization
# conflict: nothing was committed, and the same request later succeeds.
_UNAVAILABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.DisconnectionError, sa_exc.TimeoutError)


def is_unavailable(error: BaseException) -> bool:
    return isinstance(error, _UNAVAILABLE)


def unavailable() -> tuple[Response, int]:
    """503 with ``Retry-After``: a retryable outage, as documented for integrators."""
    response, status = error_response(503, "cơ sở dữ liệu tạm thời không sẵn sàng, vui lòng gửi lại sau",
                                      code="database_unavailable")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response, status


def handle_http_exception(error: HTTPException) -> tuple[Response, int]:
    """The JSON error of an HTTP exception, keeping the headers it carries (``Allow`` on a 405, ``Retry-After``
    given to ``abort(..., headers=...)``)."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") if isinstance(data, dict) else None
    if messages:
        field, message = first_field(messages)
        response = error_response(status, message, field=field, details=messages)
    else:
        field = data.get("field") if isinstance(data, dict) else None
        message = (data.get("message") if isinstance(data, dict) else None) or error.description or error.name
        code = data.get("error_code") if isinstance(data, dict) else None
        response = error_response(status, str(message), field=field, code=code)
    extra = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    if isinstance(data, dict) and isinstance(data.get("headers"), dict):
        extra.extend(data["headers"].items())
    for key, value in extra:
        response[0].headers[key] = value
    return response
