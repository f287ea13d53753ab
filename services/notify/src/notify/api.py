"""HTTP API: the delivery log by dossier and per-recipient channel preferences."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from dunghan.calendar import CalendarRangeError
from dunghan.clock import utc_now
from dunghan.contract import strict
from dunghan.web.auth import current_principal, require_agency, require_auth
from notify import domain
from notify.digest import digest_context
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
        tx.set_preferences(officer, prefs, utc_now())
    return prefs


class DigestQuery(Schema):
    on = strict.Date(load_default=None, metadata={"description": "ngày của bản tin (mặc định: hôm nay)"})


class DigestRowSchema(Schema):
    code = fields.String()
    procedure = fields.String()
    applicant = fields.String()
    due = fields.String()
    link = fields.String()


class DigestSchema(Schema):
    unit = fields.String()
    unit_name = fields.String()
    date = fields.String()
    head_officer = fields.String(allow_none=True)
    due_soon = fields.List(fields.Nested(DigestRowSchema))
    overdue = fields.List(fields.Nested(DigestRowSchema))
    subject = fields.String()
    text = fields.String()


@blp.get("/digests/<unit>")
@blp.arguments(DigestQuery, location="query")
@blp.response(200, DigestSchema)
@require_auth()
def get_digest(args: dict[str, Any], unit: str) -> dict[str, Any]:
    """Bản tin hằng ngày của trưởng đơn vị: hồ sơ đến hạn trong 1 ngày làm việc và hồ sơ quá hạn, như được gửi
    vào giờ gửi bản tin của ngày ``on`` (theo các hồ sơ đang mở)."""
    services = current_app.extensions["notify"]
    settings = services.settings
    tz = settings.timezone
    day: date = args["on"] or domain.local(utc_now(), tz).date()
    at = datetime.combine(day, domain.parse_time(settings.digest_time), ZoneInfo(tz))
    with _repo().transaction() as tx:
        found = tx.unit(unit)
        if found is None:
            abort(404, message=f"không có đơn vị {unit}", field="unit")
        require_agency(found.agency, field="unit")
        try:
            _selection, context = digest_context(tx, found, at, services.calendar, settings.link_base, tz)
        except CalendarRangeError:
            abort(422, message="ngày ngoài phạm vi lịch làm việc", field="on")
    rendered = services.renderer.render("digest", "email", {**context, "recipient": ""})
    return {"unit": unit, "head_officer": found.head_officer, **context, "subject": rendered.subject,
            "text": rendered.text}
