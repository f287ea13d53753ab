"""Marshmallow schemas derived from the frozen event dataclasses (one per type, tolerant of unknown fields)."""
from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date, datetime
from typing import Any

from marshmallow import EXCLUDE, Schema, fields, post_load

from dunghan.contract import strict

_SCALARS: dict[Any, type[fields.Field]] = {  # strict: JSON types as written, RFC 3339 instants and dates
    str: fields.String,
    int: strict.Integer,
    float: strict.Float,
    bool: strict.Boolean,
    datetime: strict.AwareDateTime,
    date: strict.Date,
}
_cache: dict[type, type[Schema]] = {}


def _field_for(tp: Any, *, required: bool) -> fields.Field:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType) and type(None) in args:
        inner = next(a for a in args if a is not type(None))
        return _field_for_inner(inner, required=False, allow_none=True)
    return _field_for_inner(tp, required=required, allow_none=False)


def _field_for_inner(tp: Any, *, required: bool, allow_none: bool) -> fields.Field:
    opts: dict[str, Any] = {"required": required, "allow_none": allow_none}
    if not required:
        opts["load_default"] = None
    origin = typing.get_origin(tp)
    if origin is tuple:
        item = typing.get_args(tp)[0]
        opts.pop("load_default", None)
        return _TupleList(_field_for_inner(item, required=True, allow_none=False), **opts)
    if dataclasses.is_dataclass(tp):
        return fields.Nested(schema_for(tp), **opts)  # type: ignore[arg-type]
    if typing.get_origin(tp) is typing.Literal:
        from marshmallow.validate import OneOf

        return fields.String(validate=OneOf(typing.get_args(tp)), **opts)
    if tp is dict or origin is dict:
        return fields.Dict(**opts)
    if tp in (date, datetime):
        opts["metadata"] = {"any_year": True}  # internal events: the producer already bounded them
    return _SCALARS[tp](**opts)


class _TupleList(fields.List):
    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        return tuple(super()._deserialize(value, attr, data, **kwargs))


def schema_for(cls: type) -> type[Schema]:
    """The marshmallow schema class of a frozen dataclass: loads into the dataclass, ignores unknown fields."""
    if cls in _cache:
        return _cache[cls]
    hints = typing.get_type_hints(cls)
    attrs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        has_default = f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
        attrs[f.name] = _field_for(hints[f.name], required=not has_default)
        if has_default and f.default is not dataclasses.MISSING:
            attrs[f.name].load_default = f.default

    def make(self: Schema, data: dict[str, Any], **_: Any) -> Any:
        return cls(**data)

    attrs["Meta"] = type("Meta", (), {"unknown": EXCLUDE})
    attrs["make"] = post_load(make)
    schema = type(f"{cls.__name__}Schema", (Schema,), attrs)
    _cache[cls] = schema
    return schema


_instances: dict[type, Schema] = {}


def schema_instance(cls: type) -> Schema:
    """One shared instance of ``schema_for(cls)``: building a marshmallow schema deep-copies its fields, which
    costs more than the load or dump it serves. Instances hold no per-call state, so sharing them is safe."""
    schema = _instances.get(cls)
    if schema is None:
        schema = _instances[cls] = schema_for(cls)()
    return schema
