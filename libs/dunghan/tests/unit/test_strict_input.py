"""Input taken as written: safejson's bounds and the strict marshmallow fields (no coercion, RFC 3339, ASCII
digits up to the true end, dates within the calendar's years)."""
from __future__ import annotations

from datetime import date

import pytest
from marshmallow import Schema, ValidationError, fields

from dunghan.calendar import DEFAULT_YEARS
from dunghan.contract import safejson, strict


class Sample(Schema):
    n = strict.Integer()
    x = strict.Float()
    b = strict.Boolean()
    d = strict.Date()
    t = strict.AwareDateTime()
    q = strict.QueryInteger()


class Codes(Schema):
    code = fields.String(validate=strict.pattern(r"[A-Z]{3}-[0-9]{6}"))


def test_the_bounds_are_the_calendars_years():
    assert (date(DEFAULT_YEARS[0], 1, 1), date(DEFAULT_YEARS[-1], 12, 31)) == (strict.FIRST_DAY, strict.LAST_DAY)


@pytest.mark.parametrize(("value", "field"), [
    ({"n": "1"}, "n"), ({"n": 1.5}, "n"), ({"n": 2.0}, "n"), ({"n": 1e30}, "n"), ({"n": True}, "n"),
    ({"x": "1.5"}, "x"), ({"x": False}, "x"), ({"b": "true"}, "b"), ({"b": 1}, "b"),
    ({"d": "1900-01-01"}, "d"), ({"d": "9999-12-31"}, "d"), ({"d": "2017-W05-3"}, "d"), ({"d": "20170101"}, "d"),
    ({"d": "٢٠١٧-٠١-٠١"}, "d"), ({"d": "2017-01-01\n"}, "d"), ({"d": "2017-02-30"}, "d"),
    ({"t": "2017-01-01T10:00:00+07"}, "t"), ({"t": "2017-01-01T10:00:00+0700"}, "t"),
    ({"t": "2017-01-01T10:00:00"}, "t"), ({"t": "2017-01-01"}, "t"), ({"t": "2017-01-01T10:00+07:00"}, "t"),
    ({"t": "0011-01-01T10:00:00+07:00"}, "t"), ({"t": "2017-W01-1T10:00:00+07:00"}, "t"),
    ({"q": "٣"}, "q"), ({"q": "３"}, "q"), ({"q": "3\n"}, "q"), ({"q": "1" * 12}, "q"),
])
def test_what_is_not_written_as_the_type_is_refused(value, field):
    with pytest.raises(ValidationError) as err:
        Sample().load(value)
    assert field in err.value.messages


def test_what_is_written_as_the_type_loads():
    out = Sample().load({"n": 3, "x": 2, "b": False, "d": "2017-01-25", "t": "2017-01-25T10:00:00.5+07:00",
                         "q": "12"})
    assert out["n"] == 3 and out["x"] == 2.0 and out["d"] == date(2017, 1, 25) and out["q"] == 12
    assert out["t"].utcoffset().total_seconds() == 7 * 3600


@pytest.mark.parametrize("code", ["ABC-١٢٣٤٥٦", "ABC-１２３４５６", "ABC-123456\n", "ABC-1234567", "xABC-123456"])
def test_patterns_take_ascii_digits_up_to_the_true_end(code):
    with pytest.raises(ValidationError):
        Codes().load({"code": code})
    assert Codes().load({"code": "ABC-123456"})


def test_a_pattern_written_with_backslash_d_is_refused_at_import():
    with pytest.raises(ValueError, match="0-9"):
        strict.pattern(r"\d{4}")


@pytest.mark.parametrize(("body", "field", "not_json"), [
    (b"[" * 990 + b"]" * 990, "body", False),
    (b"[" * 5000, "body", False),
    (b'{"a": ' + b"1" * 4301 + b"}", "body", False),
    (b'{"a": 1e400}', "body", False),
    (b'{"a": NaN}', "body", False),
    (b'{"a": -Infinity}', "body", False),
    (b'{"a": {"b": ["x", "y\\u0000"]}}', "a.b[1]", False),
    (b'{"a": "\\ud800"}', "a", False),
    (b'{"\\udc00": 1}', "body", False),
    (b"\xff\xfe{}", "body", True),
    (b"{not json", "body", True),
])
def test_safejson_refuses_what_breaks_a_bound_naming_the_field(body, field, not_json):
    with pytest.raises(safejson.UnsafeJson) as err:
        safejson.loads(body)
    assert err.value.field == field and err.value.not_json is not_json


def test_safejson_takes_ordinary_json_and_brackets_inside_strings():
    text = '{"a": "' + "[" * 100 + '\\"", "b": [1, 2.5, true]}'
    assert safejson.loads(text) == {"a": "[" * 100 + '"', "b": [1, 2.5, True]}
    assert safejson.loads('{"e": "\\ud83d\\ude00"}') == {"e": "😀"}  # a surrogate pair is one character
    assert safejson.loads(b'{"n": -123456789012345678}') == {"n": -123456789012345678}
    with pytest.raises(safejson.UnsafeJson):
        safejson.loads('{"a": "\ud800"}')  # a lone surrogate already in a str


@pytest.mark.parametrize("body", [b"[" * 5000 + b"]" * 5000, b'{"specversion": "1.0", "x": ' + b"7" * 5000 + b"}",
                                  b'{"specversion": "1.0\\u0000"}', b'{"id": NaN}'])
def test_an_event_body_beyond_the_bounds_is_a_contract_error_not_a_crash(body):
    from dunghan.contract import decode
    from dunghan.contract.envelope import ContractError

    with pytest.raises(ContractError):
        decode(body)
