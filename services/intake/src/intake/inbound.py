"""Inbound message schemas, one per lifecycle fact (marshmallow), and their JSON Schema export for integrators."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, missing, validate

from dunghan.contract import strict
from intake.domain import FACTS, InboundError

CONTRACT_VERSION = "1.0"
AGENCY_PATTERN = r"[A-Z][A-Z0-9]{1,9}"
CODE_PATTERN = r"[A-Z][A-Z0-9]{1,9}-[0-9]{6}-[0-9]{4}"
EVENT_ID_PATTERN = r"[A-Za-z0-9._:-]{1,100}"
ID_NUMBER_PATTERN = r"[0-9]{9}([0-9]{3})?"
PHONE_PATTERN = r"(0|\+84)[0-9]{9,10}"
MAX_AMOUNT_VND = 10**13


def _text(required: bool = True, max_len: int = 500, **kw: Any) -> fields.String:
    return fields.String(required=required, validate=validate.Length(min=1, max=max_len), **kw)


def _ref(required: bool = True) -> fields.String:
    return fields.String(required=required, validate=validate.Length(min=1, max=50))


class Strict(Schema):
    class Meta:
        unknown = RAISE


class ApplicantSchema(Strict):
    name = _text(max_len=200, metadata={"description": "Họ tên người nộp / tên tổ chức"})
    id_number = fields.String(validate=strict.pattern(ID_NUMBER_PATTERN),
                              metadata={"description": "Số CMND/CCCD (9 hoặc 12 chữ số); chỉ dùng để tra cứu"})
    phone = fields.String(validate=strict.pattern(PHONE_PATTERN))
    email = fields.Email(validate=validate.Length(max=200))
    address = _text(required=False, max_len=300)


class FactSchema(Strict):
    fact = fields.String(required=True)
    event_id = fields.String(required=True, validate=strict.pattern(EVENT_ID_PATTERN),
                             metadata={"description": "Mã sự kiện của hệ thống gửi: khóa chống trùng"})
    code = fields.String(required=True, validate=strict.pattern(CODE_PATTERN),
                         metadata={"description": "Mã hồ sơ <mã cơ quan>-<yymmdd>-<4 chữ số>"})
    agency = fields.String(required=True, validate=strict.pattern(AGENCY_PATTERN))
    occurred_at = strict.AwareDateTime(required=True, metadata={"description": "Thời điểm sự việc xảy ra"})
    note = _text(required=False, max_len=1000)




def _channel(required: bool = False, **kw: Any) -> fields.Integer:
    return strict.Integer(required=required, validate=validate.OneOf([1, 2, 3]),
                          metadata={"description": "1 trực tiếp, 2 trực tuyến, 3 bưu chính công ích"}, **kw)


class SubmittedSchema(FactSchema):
    procedure_code = _ref()
    channel = _channel(load_default=2)
    applicant = fields.Nested(ApplicantSchema, required=True)


class AcceptedSchema(FactSchema):
    procedure_code = _ref()
    channel = _channel(required=True)
    unit = _ref()
    officer = _ref()
    step = _ref(required=False)
    applicant = fields.Nested(ApplicantSchema, required=True)
    appointment_at = strict.AwareDateTime(metadata={"description": "Ngày hẹn trả trên giấy tiếp nhận (mẫu 01)"})
    history = strict.Boolean(load_default=False, metadata={
        "description": "true: hồ sơ nạp lại từ dữ liệu cũ (lịch sử); được tính vào mọi số liệu nhưng không gửi "
                       "cảnh báo, thông báo nào cho cán bộ"})


class RefusedSchema(FactSchema):
    reason = _text()
    procedure_code = _ref(required=False)
    channel = _channel()
    unit = _ref(required=False)


class TransferredSchema(FactSchema):
    unit = _ref()
    officer = _ref()
    step = _ref(required=False)


class ReasonSchema(FactSchema):
    reason = _text()


class OptionalReasonSchema(FactSchema):
    reason = _text(required=False)


class FeeSchema(FactSchema):
    amount_vnd = strict.Integer(validate=validate.Range(min=0, max=MAX_AMOUNT_VND))


class ApologySchema(FactSchema):
    new_due_date = strict.Date(required=True, metadata={"description": "Ngày hẹn mới (mẫu 04)"})
    reason = _text()


class ResultReadySchema(FactSchema):
    decision = fields.String(required=True, validate=validate.OneOf(["approved", "refused"]))
    officer = _ref(required=False)


class ResultReturnedSchema(FactSchema):
    channel = _channel()


SCHEMAS: dict[str, type[FactSchema]] = {
    "dossier.submitted": SubmittedSchema, "dossier.accepted": AcceptedSchema, "dossier.refused": RefusedSchema,
    "dossier.transferred": TransferredSchema, "supplement.requested": ReasonSchema,
    "supplement.received": FactSchema, "fee.requested": FeeSchema, "fee.paid": FeeSchema,
    "apology.issued": ApologySchema, "result.ready": ResultReadySchema, "result.returned": ResultReturnedSchema,
    "dossier.withdrawn": OptionalReasonSchema, "dossier.stopped": ReasonSchema,
}
assert tuple(SCHEMAS) == FACTS
_LOADERS = {name: cls() for name, cls in SCHEMAS.items()}  # built once: loading does not mutate a schema


def first_error(messages: Any, prefix: str = "") -> tuple[str, str]:
    if isinstance(messages, dict) and messages:
        key, value = next(iter(sorted(messages.items(), key=lambda kv: str(kv[0]))))
        return first_error(value, f"{prefix}.{key}" if prefix else str(key))
    if isinstance(messages, list) and messages:
        return first_error(messages[0], prefix)
    return prefix or "body", str(messages)


def all_errors(messages: Any, prefix: str = "") -> list[dict[str, str]]:
    if isinstance(messages, dict):
        return [e for k, v in sorted(messages.items(), key=lambda kv: str(kv[0]))
                for e in all_errors(v, f"{prefix}.{k}" if prefix else str(k))]
    if isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages):
        return [{"field": prefix or "body", "reason": "; ".join(messages)}]
    if isinstance(messages, list):
        return [e for m in messages for e in all_errors(m, prefix)]
    return [{"field": prefix or "body", "reason": str(messages)}]


def load_fact(raw: Any, fact: str | None = None) -> dict[str, Any]:
    """Validate one inbound message (a decoded JSON object) and return the loaded fields; raises InboundError."""
    if not isinstance(raw, dict):
        raise InboundError("invalid", "thông điệp phải là một đối tượng JSON", "body")
    name = raw.get("fact")
    if name is None:
        raise InboundError("invalid", "thiếu trường fact (loại sự kiện)", "fact")
    if not isinstance(name, str) or name not in SCHEMAS:
        raise InboundError("invalid", f"fact phải là một trong {', '.join(FACTS)}", "fact")
    if fact is not None and name != fact:
        raise InboundError("invalid", f"fact {name!r} không khớp khóa định tuyến {fact!r}", "fact")
    try:
        loaded: dict[str, Any] = _LOADERS[name].load(raw)
    except ValidationError as exc:
        field, reason = first_error(exc.normalized_messages())
        raise InboundError("invalid", reason, field, all_errors(exc.normalized_messages())) from exc
    return loaded


# ---- JSON Schema export (docs/integration/schemas/*.json is generated from here) ----

_FORMATS = {fields.AwareDateTime: ("string", "date-time"), fields.DateTime: ("string", "date-time"),
            fields.Date: ("string", "date"), fields.Email: ("string", "email")}


def _field_schema(f: fields.Field) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(f, fields.Nested):
        out = json_schema_of(f.schema.__class__)
    elif isinstance(f, fields.List):
        out = {"type": "array", "items": _field_schema(f.inner)}
    else:
        for cls, (tp, fmt) in _FORMATS.items():
            if isinstance(f, cls):
                out = {"type": tp, "format": fmt}
                break
        else:
            tp = ("integer" if isinstance(f, fields.Integer) else "number" if isinstance(f, fields.Float)
                  else "boolean" if isinstance(f, fields.Boolean) else "string")
            out = {"type": tp}
    for v in f.validators:
        if isinstance(v, validate.Length):
            out.update({k: val for k, val in (("minLength", v.min), ("maxLength", v.max)) if val is not None})
        elif isinstance(v, validate.Regexp):
            out["pattern"] = str(v.regex.pattern).replace("\\Z", "$")  # ECMA-262: $ is the true end
        elif isinstance(v, validate.OneOf):
            out["enum"] = list(v.choices)
        elif isinstance(v, validate.Range):
            out.update({k: val for k, val in (("minimum", v.min), ("maximum", v.max)) if val is not None})
    if f.metadata.get("description"):
        out["description"] = f.metadata["description"]
    if f.load_default not in (None, missing) and not callable(f.load_default) and not f.required:
        out["default"] = f.load_default
    return out


def json_schema_of(schema_cls: type[Schema]) -> dict[str, Any]:
    schema = schema_cls()
    props = {name: _field_schema(f) for name, f in schema.fields.items()}
    required = [name for name, f in schema.fields.items() if f.required]
    return {"type": "object", "properties": props, "required": required, "additionalProperties": False}


def json_schema(fact: str) -> dict[str, Any]:
    body = json_schema_of(SCHEMAS[fact])
    body["properties"]["fact"] = {"const": fact}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://dunghan.example.vn/integration/v{CONTRACT_VERSION}/{fact}.json",
        "title": f"{fact} (hợp đồng tích hợp v{CONTRACT_VERSION})",
        **body,
    }


def write_schemas(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for fact in FACTS:
        path = directory / f"{fact}.json"
        path.write_text(json.dumps(json_schema(fact), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    import sys

    for p in write_schemas(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/integration/schemas")):
        print(p)
