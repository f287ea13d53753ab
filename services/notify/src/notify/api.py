"""HTTP API: the delivery log by dossier and per-recipient channel preferences."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import current_app
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from dunghan.contract import strict
from dunghan.web.auth import current_principal, require_agency, require_auth
from notify.domain import CHANNELS, Preferences

blp = Blueprint("notify", __name__, url_prefix="/api/v1", description="Thông báo và nhật ký gửi")


class LogQuery(Schema):
    dossier = fields.String(required=True, validate=validate.Length(min=1, max=128))


class DeliverySchema(Schema):
    id = fields.Integer()
    dossier = fields.String()
    kind = fields.String()
    threshold = fields.String()
    recipient = fields.String()
    role = fields.String()
    channel = fields.String()
    status = fields.String()
    attempts = fields.Integer()
    provider_id = fields.String(allow_none=True)
    last_error = fields.String(allow_none=True)
    segments = fields.Integer()
    next_attempt_at = fields.DateTime()
    created_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)
    dead_lettered_at = fields.DateTime(allow_none=True)


class DeliveryLogSchema(Schema):
    dossier = fields.String()
    notifications = fields.List(fields.Nested(DeliverySchema))


class PreferencesSchema(Schema):
    channels = fields.List(fields.String(validate=validate.OneOf(CHANNELS)), required=True)
    digest = strict.Boolean(load_default=True)


def _repo() -> Any:
    return current_app.extensions["notify"].repo


@blp.get("/notifications")
@blp.arguments(LogQuery, location="query")
@blp.response(200, DeliveryLogSchema)
@require_auth()
def delivery_log(args: dict[str, Any]) -> dict[str, Any]:
    """Nhật ký gửi thông báo của một hồ sơ."""
    principal = current_principal()
    rows = [r for r in _repo().delivery_log(args["dossier"])
            if principal.cross_agency or r["agency"] in (principal.agency, "")]
    return {"dossier": args["dossier"], "notifications": rows}


def _officer(tx: Any, officer: str) -> Any:
    found = tx.officer(officer)
    if found is None:
        abort(404, message=f"không có cán bộ {officer}", field="officer")
    require_agency(found.agency, field="officer")
    return found


@blp.get("/recipients/<officer>/preferences")
@blp.response(200, PreferencesSchema)
@require_auth()
def get_preferences(officer: str) -> Preferences:
    """Kênh nhận thông báo của một cán bộ."""
    with _repo().transaction() as tx:
        _officer(tx, officer)
        return tx.preferences(officer) or Preferences()


@blp.put("/recipients/<officer>/preferences")
@blp.arguments(PreferencesSchema)
@blp.response(200, PreferencesSchema)
@require_auth()
def put_preferences(args: dict[str, Any], officer: str) -> Preferences:
    """Đặt kênh nhận thông báo (email, sms) và việc nhận bản tổng hợp hằng ngày."""
    prefs = Preferences(tuple(dict.fromkeys(args["channels"])), args["digest"])
    with _repo().transaction() as tx:
        _officer(tx, officer)
        tx.set_preferences(officer, prefs, datetime.now(UTC))
    return prefs
