"""HTTP request/response schemas of intake (marshmallow, documented in /openapi.json)."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from dunghan.clock import LOCAL_TZ
from dunghan.contract import strict
from intake.facts import FACTS

AGENCY_CODE = strict.pattern(r"[A-Z][A-Z0-9]{1,9}")


class LocalInstant(fields.Field):
    """A filter bound: a plain date (``2017-06-29``), read as the start of that day in Vietnam, or with ``end``
    as the end of it (so ``resolved_to=2017-06-29`` includes the 29th); or an RFC 3339 instant with its offset."""

    def __init__(self, *, end: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.end = end

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        if type(value) is str and strict.DATE_TEXT.match(value):
            day = strict.Date()._deserialize(value, attr, data)
            return datetime.combine(day + timedelta(days=1) if self.end else day, time(), LOCAL_TZ)
        try:
            return strict.AwareDateTime()._deserialize(value, attr, data)
        except ValidationError as exc:
            raise ValidationError("cần ngày (YYYY-MM-DD) hoặc thời điểm RFC 3339 có múi giờ") from exc


class LocalDateTime(fields.DateTime):
    """An instant answered in Vietnam time (+07:00), whatever zone it was stored in."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = value.astimezone(LOCAL_TZ)
        return super()._serialize(value, attr, obj, **kwargs)


REF = validate.Length(min=1, max=50)


class FactBodySchema(Schema):
    """One lifecycle fact: the same JSON as on the queue (see docs/integration/schemas)."""

    class Meta:
        unknown = "include"

    fact = fields.String(required=True, validate=validate.OneOf(FACTS))
    event_id = fields.String(required=True)


class ReplySchema(Schema):
    status = fields.String()
    event_id = fields.String()
    code = fields.String()
    dossier_status = fields.Integer()
    reason = fields.String()


class DossierQuerySchema(Schema):
    agency = fields.String()
    unit = fields.String()
    officer = fields.String()
    status = strict.QueryInteger(validate=validate.Range(min=1, max=10))
    procedure = fields.String()
    received_from = LocalInstant(metadata={"type": "string", "description": "tiếp nhận từ (ngày hoặc thời điểm)"})
    received_to = LocalInstant(end=True, metadata={
        "type": "string", "description": "tiếp nhận đến hết ngày này (hoặc trước thời điểm)"})
    resolved_from = LocalInstant(metadata={
        "type": "string",
        "description": "giải quyết xong từ (hồ sơ đã tiếp nhận; từ chối tiếp nhận không tính là giải quyết)"})
    resolved_to = LocalInstant(end=True, metadata={"type": "string",
                                                   "description": "giải quyết xong đến hết ngày này"})
    open = fields.Boolean(metadata={"description": "true: hồ sơ đã tiếp nhận, chưa giải quyết xong"})
    overdue = fields.Boolean()
    page = strict.QueryInteger(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = strict.QueryInteger(load_default=50, validate=validate.Range(min=1, max=500))


class DossierSchema(Schema):
    code = fields.String()
    agency = fields.String()
    status = fields.Integer()
    status_name = fields.String()
    procedure_code = fields.String(allow_none=True)
    procedure_version = fields.Integer(allow_none=True)
    procedure_field = fields.String(allow_none=True)
    channel = fields.Integer(allow_none=True)
    unit = fields.String(allow_none=True)
    officer = fields.String(allow_none=True)
    step = fields.String(allow_none=True)
    applicant_name = fields.String(allow_none=True)
    submitted_at = LocalDateTime(allow_none=True)
    accepted_at = LocalDateTime(allow_none=True)
    appointment_at = LocalDateTime(allow_none=True)
    new_due_date = fields.Date(allow_none=True)
    resolved_at = LocalDateTime(allow_none=True)
    returned_at = LocalDateTime(allow_none=True)
    decision = fields.String(allow_none=True)
    supplement_count = fields.Integer()
    apology_count = fields.Integer()
    overdue = fields.Boolean()


class HistorySchema(Schema):
    seq = fields.Integer()
    fact = fields.String()
    occurred_at = LocalDateTime()
    received_at = LocalDateTime()
    source = fields.String()
    sender_event_id = fields.String()
    status = fields.Integer()
    unit = fields.String(allow_none=True)
    officer = fields.String(allow_none=True)
    step = fields.String(allow_none=True)
    canonical_event_id = fields.String()
    details = fields.Dict()


class DossierDetailSchema(DossierSchema):
    history = fields.List(fields.Nested(HistorySchema))


class DossierPageSchema(Schema):
    items = fields.List(fields.Nested(DossierSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class LookupQuerySchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=30))
    id_number = fields.String(required=True, validate=strict.pattern(r"[0-9]{9}([0-9]{3})?"))


class LookupSchema(Schema):
    code = fields.String()
    status = fields.Integer()
    status_name = fields.String()
    appointment_date = fields.Date(allow_none=True)


POSITIVE = validate.Range(min=0, min_inclusive=False, max=3650)


class StepSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    hours = strict.Float(required=True, validate=POSITIVE)


class DurationSchema(Schema):
    value = strict.Float(required=True, validate=POSITIVE)
    unit = fields.String(load_default="working_days",
                         validate=validate.OneOf(["working_days", "working_hours", "calendar_days"]))


class ProcedureInSchema(Schema):
    code = fields.String(required=True, validate=strict.pattern(r"[A-Z0-9][A-Za-z0-9._-]{0,49}"))
    agency = fields.String(required=True, validate=AGENCY_CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=500))
    field = fields.String(required=True, validate=validate.Length(max=200))
    statutory = fields.Nested(DurationSchema, required=True)
    committed = fields.Nested(DurationSchema, required=True)
    effective_from = strict.Date(required=True)
    effective_to = strict.Date(allow_none=True)
    abolished = strict.Boolean(load_default=False)
    channels = fields.List(strict.Integer(validate=validate.OneOf([1, 2, 3])), load_default=[1, 2, 3],
                           validate=validate.Length(min=1, max=3))
    steps = fields.List(fields.Nested(StepSchema), load_default=[], validate=validate.Length(max=50))
    cutoff = fields.String(load_default="17:00", validate=strict.pattern(r"([01][0-9]|2[0-3]):[0-5][0-9]"))
    pause_on_fee = strict.Boolean(load_default=False)
    legal_basis = fields.String(load_default="", validate=validate.Length(max=2000))

    @validates_schema
    def _span(self, data: dict[str, Any], **_: Any) -> None:
        strict.check_span(data.get("effective_from"), data.get("effective_to"), "effective_to")


class ProcedureSchema(Schema):
    code = fields.String()
    version = fields.Integer()
    agency = fields.String()
    name = fields.String()
    field = fields.String()
    statutory_value = fields.Float()
    statutory_unit = fields.String()
    committed_value = fields.Float()
    committed_unit = fields.String()
    effective_from = fields.Date()
    effective_to = fields.Date(allow_none=True)
    abolished = fields.Boolean()
    channels = fields.List(fields.Integer())
    steps = fields.List(fields.Nested(StepSchema))
    cutoff = fields.String()
    pause_on_fee = fields.Boolean()
    legal_basis = fields.String()


class ProcedureQuerySchema(Schema):
    agency = fields.String()
    on = strict.Date()


class ImportResultSchema(Schema):
    read = fields.Integer()
    created = fields.Integer()


class ProblemInSchema(Schema):
    summary = fields.String(required=True, validate=validate.Length(min=1, max=500))
    details = fields.String(load_default="")


class ProblemSchema(Schema):
    id = fields.Integer()
    procedure_code = fields.String()
    agency = fields.String()
    reported_by = fields.String()
    summary = fields.String()
    details = fields.String()
    created_at = LocalDateTime()
    status = fields.String()


class AgencySchema(Schema):
    code = fields.String(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=300))


class UnitSchema(Schema):
    code = fields.String(dump_only=True)
    agency = fields.String(required=True, validate=AGENCY_CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    head_officer = fields.String(allow_none=True, load_default=None, validate=REF)
    union_contact = fields.String(allow_none=True, load_default=None, validate=REF)


class OfficerSchema(Schema):
    code = fields.String(dump_only=True)
    agency = fields.String(required=True, validate=AGENCY_CODE)
    unit = fields.String(required=True, validate=REF)
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    title = fields.String(load_default="", validate=validate.Length(max=200))
    email = fields.Email(allow_none=True, load_default=None, validate=validate.Length(max=200))
    phone = fields.String(allow_none=True, load_default=None, validate=strict.pattern(r"(0|\+84)[0-9]{9,10}"))
    active = strict.Boolean(load_default=True)


class OrgQuerySchema(Schema):
    agency = fields.String()
    unit = fields.String()


class FactErrorSchema(Schema):
    field = fields.String(allow_none=True)
    reason = fields.String()


class FactFateSchema(Schema):
    """What became of one fact sent under ``event_id``: ``applied``, ``buffered`` (waiting for its dossier or
    an earlier step), or ``rejected`` (with the reason kind and the field)."""

    event_id = fields.String(required=True)
    agency = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(("applied", "buffered", "rejected")))
    code = fields.String(allow_none=True)
    dossier_status = fields.Integer(allow_none=True)
    reason = fields.String(allow_none=True)
    errors = fields.List(fields.Nested(FactErrorSchema), allow_none=True)
    received_at = fields.AwareDateTime(required=True)


class FactQuerySchema(Schema):
    agency = fields.String(validate=AGENCY_CODE, metadata={"description": "operators only: the sender's agency"})
