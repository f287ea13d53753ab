"""The pages read and change data through the service's own API endpoints, called in-process as the signed-in
officer: the same checks, the same lists, one implementation."""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flask import Response, abort, current_app, g


class ApiError(Exception):
    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.field = status, message, field


def call(method: str, path: str, *, query: Mapping[str, Any] | None = None,
         body: Mapping[str, Any] | None = None) -> Response:
    """The endpoint's response (an error is a 4xx/5xx response, not an exception)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    started = g.get("request_started")
    with app.test_request_context(path, method=method, query_string=dict(query or {}), json=body,
                                  base_url="http://pages.internal"):
        try:
            rv = app.dispatch_request()
        except Exception as exc:  # flask-smorest's abort and the app's handlers make it a JSON error
            rv = app.handle_user_exception(exc)
        response = app.make_response(rv)
    if started is not None:
        g.request_started = started
    return response


def get_json(path: str, **query: Any) -> Any:
    """GET an endpoint; 404 becomes the page's 404, other errors an ``ApiError``."""
    return _json(call("GET", path, query={k: v for k, v in query.items() if v is not None}))


def post_json(path: str, body: Mapping[str, Any] | None = None) -> Any:
    return _json(call("POST", path, body=dict(body or {})))


def _json(response: Response) -> Any:
    data = json.loads(response.get_data(as_text=True) or "null")
    if response.status_code == 404:
        abort(404, description=_message(data))
    if response.status_code == 403:
        abort(403, description=_message(data))
    if response.status_code >= 400:
        err = (data or {}).get("error") or {} if isinstance(data, dict) else {}
        raise ApiError(response.status_code, err.get("message") or "lỗi", err.get("field"))
    return data


def _message(data: Any) -> str:
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        return str(data["error"].get("message") or "")
    return ""
