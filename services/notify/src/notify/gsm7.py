"""Vietnamese text to unaccented GSM-7 (đ/Đ mapped), segment counting and splitting, sender validation."""
from __future__ import annotations

import unicodedata

BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
EXTENSION = {"\f": 0x0A, "^": 0x14, "{": 0x28, "}": 0x29, "\\": 0x2F, "[": 0x3C, "~": 0x3D, "]": 0x3E,
             "|": 0x40, "€": 0x65}
_BASIC_INDEX = {ch: i for i, ch in enumerate(BASIC) if ch != "\x1b"}
ESCAPE = 0x1B
SINGLE_SEPTETS = 160
PART_SEPTETS = 153
MAX_SENDER = 11
_EXPLICIT = {"đ": "d", "Đ": "D", "ơ": "o", "Ơ": "O", "ư": "u", "Ư": "U", "\u2013": "-", "\u2014": "-",
             "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2026": "...", "\u00a0": " ",
             "\t": " "}


def is_gsm7(ch: str) -> bool:
    return ch in _BASIC_INDEX or ch in EXTENSION


def to_gsm7(text: str, replacement: str = "?") -> str:
    """Strip diacritics (Vietnamese becomes plain Latin), map đ/Đ to d/D, replace anything else non-GSM-7."""
    out: list[str] = []
    for ch in text:
        ch = _EXPLICIT.get(ch, ch)
        if not ch.isascii():
            base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
            ch = _EXPLICIT.get(base, base)
        out.extend(c if is_gsm7(c) and (c.isascii() or c in EXTENSION) else replacement for c in ch)
    return "".join(out)


def septets(ch: str) -> int:
    return 2 if ch in EXTENSION else 1


def length(text: str) -> int:
    """Septets the text takes (extension-table characters count 2)."""
    return sum(septets(c) for c in text)


def split(text: str) -> list[str]:
    """Parts of a GSM-7 text: one if ≤ 160 septets, else parts of ≤ 153 septets, never splitting an escape."""
    if length(text) <= SINGLE_SEPTETS:
        return [text]
    parts: list[str] = []
    current: list[str] = []
    used = 0
    for ch in text:
        if used + septets(ch) > PART_SEPTETS:
            parts.append("".join(current))
            current, used = [], 0
        current.append(ch)
        used += septets(ch)
    if current:
        parts.append("".join(current))
    return parts


def segments(text: str) -> int:
    return len(split(text)) if text else 1


def encode(text: str) -> bytes:
    """Unpacked GSM 03.38 code points (one byte per septet), as SMPP data_coding 0 carries them."""
    out = bytearray()
    for ch in text:
        if ch in EXTENSION:
            out += bytes((ESCAPE, EXTENSION[ch]))
        elif ch in _BASIC_INDEX:
            out.append(_BASIC_INDEX[ch])
        else:
            raise ValueError(f"not GSM-7: {ch!r}")
    return bytes(out)


class InvalidSender(ValueError):
    pass


def validate_sender(sender: str) -> str:
    """A brandname: 1–11 GSM-7 alphanumeric characters (spaces, dots, dashes allowed)."""
    if not 1 <= len(sender) <= MAX_SENDER:
        raise InvalidSender(f"sender must have 1 to {MAX_SENDER} characters")
    if not all(c.isascii() and (c.isalnum() or c in " .-_") for c in sender):
        raise InvalidSender("sender must be unaccented letters, digits, space, dot, dash or underscore")
    return sender
