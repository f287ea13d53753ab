"""JSON from outside, decoded without surprises: nesting bounded before parsing (no ``RecursionError``),
integers bounded in digits (no ``ValueError`` from Python's 4,300-digit limit), no NaN or Infinity, and no text
PostgreSQL cannot store (NUL, lone surrogates). Every refusal is an ``UnsafeJson`` naming the field."""
from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_DEPTH = 32
MAX_INT_DIGITS = 18  # every integer of the contract fits in a signed 64-bit column
_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKETS = re.compile(r"[^\[\]{}]+")


class UnsafeJson(ValueError):
    """Text that is not JSON we accept: ``field`` is the dotted path when known, ``body`` otherwise;
    ``not_json`` tells text that is not UTF-8 JSON at all from JSON that breaks a bound."""

    def __init__(self, reason: str, field: str = "body", *, not_json: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field
        self.not_json = not_json


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise UnsafeJson(f"số nguyên quá lớn (quá {MAX_INT_DIGITS} chữ số)")
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise UnsafeJson("số quá lớn")
    return value


def _constant(name: str) -> Any:
    raise UnsafeJson(f"{name} không phải số JSON hợp lệ")


def nesting_depth(text: str) -> int:
    """How deep the arrays and objects of ``text`` nest (brackets inside strings do not count)."""
    if text.count("[") + text.count("{") <= 1:
        return text.count("[") + text.count("{")
    brackets = _BRACKETS.sub("", _STRINGS.sub("", text))
    depth = deepest = 0
    for ch in brackets:
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def unstorable(value: Any, path: str = "") -> str | None:
    """The dotted path of the first string (or key) PostgreSQL cannot store: NUL or a lone surrogate."""
    if isinstance(value, str):
        if "\x00" in value:
            return path or "body"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path or "body"
        return None
    if isinstance(value, dict):
        for k, v in value.items():
            here = f"{path}.{k}" if path else str(k)
            found = unstorable(k, path) or unstorable(v, here)
            if found is not None:
                return found
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found = unstorable(v, f"{path}[{i}]" if path else f"[{i}]")
            if found is not None:
                return found
    return None


def loads(data: bytes | bytearray | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """Decode ``data`` (UTF-8 JSON) within the bounds above; raises ``UnsafeJson``."""
    text_is_clean = True
    if isinstance(data, (bytes, bytearray)):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UnsafeJson("thông điệp không phải JSON UTF-8", not_json=True) from exc
    else:
        text = data
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text_is_clean = False
    if nesting_depth(text) > max_depth:
        raise UnsafeJson(f"JSON lồng nhau quá sâu (tối đa {max_depth} mức)")
    try:
        value = json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except UnsafeJson:
        raise
    except (ValueError, RecursionError) as exc:
        raise UnsafeJson("thông điệp không phải JSON UTF-8", not_json=True) from exc
    if "\\u" in text or not text_is_clean:
        bad = unstorable(value)
        if bad is not None:
            raise UnsafeJson("dữ liệu chứa ký tự không hợp lệ (NUL hoặc mã Unicode lỗi)", bad)
    return value
