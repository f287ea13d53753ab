"""What the report endpoints answer in JSON (form 06a, the national service index), as marshmallow schemas."""
from __future__ import annotations

from dataclasses import fields as dataclass_fields
from typing import Any

from marshmallow import Schema, fields

from scoring.form06a import Row06a
from scoring.reports import IndexMonth


def _counter(name: str) -> fields.Field:
    return fields.String(required=True) if name in ("key", "name") else fields.Integer(required=True)


Row06aOut = Schema.from_dict({
    "stt": fields.Integer(required=True, allow_none=True, metadata={"description": "trống ở dòng tổng cộng"}),
    "unit": fields.String(metadata={"description": "khi by=unit"}),
    "field": fields.String(metadata={"description": "khi by=field"}),
    **{f.name: _counter(f.name) for f in dataclass_fields(Row06a)},
}, name="Row06aOut")


class RefusedOut(Schema):
    total = fields.Integer(required=True)
    by_unit = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class Report06aOut(Schema):
    agency = fields.String(required=True)
    from_ = fields.String(required=True, attribute="from", data_key="from", metadata={"format": "date"})
    to = fields.String(required=True, metadata={"format": "date"})
    period = fields.String(required=True, allow_none=True)
    by = fields.String(required=True)
    columns = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    rows = fields.List(fields.Nested(Row06aOut), required=True)
    refused_at_intake = fields.Nested(RefusedOut, required=True)


def _figure(name: str, kind: Any) -> fields.Field:
    if name == "month":
        return fields.Raw(required=True, metadata={"description": "tháng (1–12) hoặc dòng cả năm"})
    return fields.Integer(required=True) if kind in ("int", int) else fields.Float(required=True, allow_none=True)


IndexMonthOut = Schema.from_dict({f.name: _figure(f.name, f.type) for f in dataclass_fields(IndexMonth)},
                                 name="IndexMonthOut")


class IndicatorOut(Schema):
    key = fields.String(required=True)
    label = fields.String(required=True)
    basis = fields.String(required=True)
    formula = fields.String(required=True)


class IndexOut(Schema):
    agency = fields.String(required=True)
    year = fields.Integer(required=True)
    decision = fields.String(required=True)
    applies = fields.Boolean(required=True)
    retroactive = fields.Boolean(required=True)
    columns = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    months = fields.List(fields.Nested(IndexMonthOut), required=True)
    notes = fields.List(fields.String(), required=True)
    indicators = fields.List(fields.Nested(IndicatorOut), required=True)
