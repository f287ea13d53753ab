"""Marshmallow fields and validators that take JSON as it is written, never as it might be read.

No string→number, float→integer or number→boolean coercion; dates and instants only in the RFC 3339 layout
(``2017-01-25``, ``2017-01-25T10:00:00+07:00``: no ``+07``, no week dates, no date where an instant is due), with
ASCII digits, within the years the working-day calendar covers; patterns match ASCII digits up to the true end
of the text (``[0-9]`` and ``\\Z``: Python's ``\\d`` takes Arabic-Indic digits, ``$`` a trailing newline)."""
from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any

from marshmallow import ValidationError, fields, validate

FIRST_DAY = date(2000, 1, 1)  # the calendar's range (dunghan.calendar.DEFAULT_YEARS); a test keeps them equal
LAST_DAY = date(2050, 12, 31)
DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_INSTANT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})\Z")


def pattern(regex: str, error: str | None = None) -> validate.Regexp:
    """A whole-text match of ``regex`` (written with ``[0-9]``, never ``\\d``), anchored at the true end."""
    if "\\d" in regex:
        raise ValueError(f"{regex!r}: write [0-9], \\d takes every Unicode digit")
    body = regex.removeprefix("^").removesuffix("$").removesuffix("\\Z")
    return validate.Regexp(f"^(?:{body})\\Z", error=error or "không đúng định dạng")


def in_calendar(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


class Integer(fields.Integer):
    """A JSON integer: not a string, not a float (``1.5``, ``1e30``, ``1.0``), not a boolean."""

    default_error_messages = {"invalid": "phải là số nguyên JSON (không phải chuỗi, số thập phân hay true/false)"}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)

    def _validated(self, value: Any) -> int:
        if type(value) is not int:
            raise self.make_error("invalid", input=value)
        return value


class Float(fields.Float):
    """A finite JSON number (integer or decimal), not a string and not a boolean."""

    default_error_messages = {"invalid": "phải là số JSON hữu hạn (không phải chuỗi hay true/false)"}

    def _validated(self, value: Any) -> float:
        if type(value) not in (int, float) or not math.isfinite(value):
            raise self.make_error("invalid", input=value)
        return float(value)


class Boolean(fields.Boolean):
    """``true`` or ``false``, not ``"true"``, ``1`` or ``"yes"``."""

    default_error_messages = {"invalid": "phải là true hoặc false"}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        if type(value) is not bool:
            raise self.make_error("invalid", input=value)
        return value


class Date(fields.Date):
    """``YYYY-MM-DD`` (ASCII digits), a real day within the calendar's years (unless ``any_year``)."""

    default_error_messages = {"invalid": "phải là ngày dạng YYYY-MM-DD",
                              "range": f"ngày phải trong khoảng {FIRST_DAY}–{LAST_DAY}"}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> date:
        if type(value) is not str or not DATE_TEXT.match(value):
            raise self.make_error("invalid")
        try:
            day = date.fromisoformat(value)
        except ValueError as exc:
            raise self.make_error("invalid") from exc
        if not self.metadata.get("any_year") and not in_calendar(day):
            raise self.make_error("range")
        return day


class AwareDateTime(fields.AwareDateTime):
    """An RFC 3339 instant with its offset (``Z`` or ``±HH:MM``), ASCII digits, within the calendar's years
    (unless ``any_year``)."""

    default_error_messages = {
        "invalid": "phải là thời điểm RFC 3339 có múi giờ, ví dụ 2017-01-25T10:00:00+07:00",
        "invalid_awareness": "phải có múi giờ (Z hoặc ±HH:MM)",
        "range": f"thời điểm phải trong khoảng {FIRST_DAY}–{LAST_DAY}",
    }

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> datetime:
        if type(value) is not str or not _INSTANT.match(value):
            raise self.make_error("invalid")
        try:
            moment = datetime.fromisoformat(value)
        except ValueError as exc:
            raise self.make_error("invalid") from exc
        if not self.metadata.get("any_year") and not in_calendar(moment.date()):
            raise self.make_error("range")
        return moment


def check_span(start: date | None, end: date | None, field: str) -> None:
    """``end`` (when given) must not come before ``start``."""
    if start is not None and end is not None and end < start:
        raise ValidationError(f"{field} không được trước ngày bắt đầu", field)


class QueryInteger(fields.Integer):
    """An integer written in a query string or path: ASCII digits only (``int("٣")`` is 3), at most 9."""

    default_error_messages = {"invalid": "phải là số nguyên (chữ số 0–9)"}
    _DIGITS = re.compile(r"-?[0-9]{1,9}")

    def _validated(self, value: Any) -> int:
        if type(value) is int:
            return value
        if type(value) is not str or not self._DIGITS.fullmatch(value):
            raise self.make_error("invalid", input=value)
        return int(value)
