"""The fast path of loading event data gives what the marshmallow schema gives, or leaves the case to it: over
every event type, for data as the contract writes it and for data spoiled one field at a time."""
from __future__ import annotations

import dataclasses
import json
import types
import typing
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from dunghan.contract.events import EVENT_TYPES
from dunghan.contract.fastload import fast_load
from dunghan.contract.schemas import schema_instance

offsets = st.sampled_from([UTC, timezone(timedelta(hours=7)), timezone(timedelta(hours=-3, minutes=-30))])
instants = st.datetimes(datetime(2000, 1, 1), datetime(2040, 1, 1), timezones=offsets)


def strategy(tp: Any) -> st.SearchStrategy[Any]:
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(st.none() if a is type(None) else strategy(a) for a in args))
    if origin is tuple:
        return st.lists(strategy(args[0]), max_size=3).map(tuple)
    if origin is typing.Literal:
        return st.sampled_from(args)
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        return st.builds(tp, **{f.name: strategy(hints[f.name]) for f in dataclasses.fields(tp)})
    if tp is dict or origin is dict:
        return st.dictionaries(st.text(max_size=5), st.integers(), max_size=3)
    return {str: st.text(max_size=20), int: st.integers(-10**6, 10**6), bool: st.booleans(), date: st.dates(),
            float: st.floats(allow_nan=False, allow_infinity=False, width=32), datetime: instants}[tp]


SPOILERS = [lambda v: None, lambda v: "1", lambda v: True, lambda v: 1.5, lambda v: "2017-1-2",
            lambda v: "2017-01-02 10:00:00+07:00", lambda v: "2017-01-02T10:00:00", lambda v: [v],
            lambda v: {"x": v}, lambda v: float("nan")]


def strict(value: Any) -> str:
    """A comparison that also tells time zones apart."""
    return repr(value)


def check(cls: type, data: dict[str, Any]) -> None:
    try:
        want: Any = schema_instance(cls).load(data)
    except (ValidationError, TypeError):
        want = None
    got = fast_load(cls, data)
    if got is not None:
        assert want is not None, (cls.__name__, data)
        assert strict(got) == strict(want)


@pytest.mark.parametrize("cls", sorted(EVENT_TYPES.values(), key=lambda c: c.__name__), ids=lambda c: c.__name__)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_fast_path_agrees_with_the_schema(cls: type, data: st.DataObject) -> None:
    event = data.draw(strategy(cls))
    wire = json.loads(json.dumps(schema_instance(cls).dump(event)))
    assert fast_load(cls, wire) is not None  # data as the contract writes it takes the fast path
    check(cls, wire)
    field = data.draw(st.sampled_from(sorted(wire)))
    spoiled = dict(wire)
    spoiled[field] = data.draw(st.sampled_from(SPOILERS))(wire[field])
    check(cls, spoiled)
    del spoiled[field]
    check(cls, spoiled)
