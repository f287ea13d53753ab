"""The fast path of loading event data: a message written as the contract writes it (strings for text, JSON
numbers and booleans, ISO 8601 instants with seconds and an offset, ISO dates) loads straight into its
dataclass, with the checks and defaults of the marshmallow schema of ``schemas.py``, derived from the same type
hints. Anything else (a number in a string, a missing required field, another date layout, an unexpected type)
gives ``None`` and goes to that schema, which alone accepts, converts or explains the error."""
from __future__ import annotations

import dataclasses
import math
import re
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

_MISS: Any = object()
_INSTANT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{3}|\.[0-9]{6})?(Z|[+-][0-9]{2}:[0-9]{2})\Z")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
Loader = Callable[[Any], Any]
_loaders: dict[type, Loader | None] = {}


def fast_load(cls: type, data: Any) -> Any | None:
    """``cls`` loaded from ``data``, or None when the schema must decide."""
    loader = _loaders.get(cls, _MISS)
    if loader is _MISS:
        loader = _loaders[cls] = _dataclass_loader(cls)
    if loader is None:
        return None
    value = loader(data)
    return None if value is _MISS else value


def _instant(v: Any) -> Any:
    return datetime.fromisoformat(v) if type(v) is str and _INSTANT.match(v) else _MISS


def _date(v: Any) -> Any:
    return date.fromisoformat(v) if type(v) is str and _DATE.match(v) else _MISS


_SCALARS: dict[Any, Loader] = {
    str: lambda v: v if type(v) is str else _MISS,
    int: lambda v: v if type(v) is int else _MISS,
    float: lambda v: float(v) if type(v) in (int, float) and math.isfinite(v) else _MISS,
    bool: lambda v: v if type(v) is bool else _MISS,
    datetime: _instant,
    date: _date,
}


def _loader(tp: Any) -> Loader | None:
    """The loader of a non-optional type, or None for one this path does not know."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is tuple:
        item = _loader(args[0])
        if item is None:
            return None

        def items(v: Any) -> Any:
            if type(v) is not list:
                return _MISS
            out = tuple(item(x) for x in v)
            return _MISS if any(x is _MISS for x in out) else out

        return items
    if dataclasses.is_dataclass(tp):
        return _dataclass_loader(tp)  # type: ignore[arg-type]
    if origin is typing.Literal:
        return lambda v: v if type(v) is str and v in args else _MISS
    if tp is dict or origin is dict:
        return lambda v: dict(v) if type(v) is dict else _MISS
    return _SCALARS.get(tp)


def _dataclass_loader(cls: type) -> Loader | None:
    """Field by field as ``schemas.schema_for`` reads them: an optional field (``X | None``) may be null or
    absent (then its default, or None); a field with a default may be absent (a tuple then takes the dataclass's
    own default, anything else the plain default or None); any other must be present and not null."""
    hints = typing.get_type_hints(cls)
    plan: list[tuple[str, Loader, bool, Any]] = []  # name, loader, nullable, value when absent
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        tp = hints[f.name]
        nullable = typing.get_origin(tp) in (typing.Union, types.UnionType) and type(None) in typing.get_args(tp)
        inner = next(a for a in typing.get_args(tp) if a is not type(None)) if nullable else tp
        loader = _loader(inner)
        if loader is None:
            return None
        has_default = f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
        if f.default is not dataclasses.MISSING:
            absent: Any = f.default
        elif typing.get_origin(inner) is tuple:
            absent = dataclasses.MISSING if (has_default or nullable) else _MISS  # the dataclass's own default
        else:
            absent = None if (has_default or nullable) else _MISS
        plan.append((f.name, loader, nullable, absent))

    def load(v: Any) -> Any:
        if type(v) is not dict:
            return _MISS
        kwargs: dict[str, Any] = {}
        for name, loader, nullable, absent in plan:
            raw = v.get(name, _MISS)
            if raw is _MISS:
                if absent is _MISS:
                    return _MISS
                if absent is not dataclasses.MISSING:
                    kwargs[name] = absent
                continue
            if raw is None:
                if not nullable:
                    return _MISS
                kwargs[name] = None
                continue
            value = loader(raw)
            if value is _MISS:
                return _MISS
            kwargs[name] = value
        return cls(**kwargs)

    return load
