"""Loading an inbound message into its fact's command (``intake.facts``), with every field error named, and the
JSON Schema export of each fact's schema for integrators."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from marshmallow import Schema, ValidationError, fields, missing, validate

from intake.domain import InboundError
from intake.facts import FACTS, SPECS, Fact

CONTRACT_VERSION = "1.0"


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


def load_fact(raw: Any, fact: str | None = None) -> Fact:
    """Validate one inbound message (a decoded JSON object) and return its command; raises InboundError."""
    if not isinstance(raw, dict):
        raise InboundError("invalid", "thông điệp phải là một đối tượng JSON", "body")
    name = raw.get("fact")
    if name is None:
        raise InboundError("invalid", "thiếu trường fact (loại sự kiện)", "fact")
    if not isinstance(name, str) or name not in SPECS:
        raise InboundError("invalid", f"fact phải là một trong {', '.join(FACTS)}", "fact")
    if fact is not None and name != fact:
        raise InboundError("invalid", f"fact {name!r} không khớp khóa định tuyến {fact!r}", "fact")
    try:
        loaded: Fact = SPECS[name].schema.load(raw)
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
    body = json_schema_of(type(SPECS[fact].schema))
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
