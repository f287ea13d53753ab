"""Durations: working days (halves allowed), working hours or calendar days; parsing of `3d`, `4h`, `10cd`."""
from __future__ import annotations

import re
from dataclasses import dataclass

UNITS = ("working_days", "working_hours", "calendar_days")
_SUFFIX = {"d": "working_days", "h": "working_hours", "cd": "calendar_days"}
_PATTERN = re.compile(r"[ \t]*([0-9]+(?:[.,][0-9]+)?)[ \t]*(cd|d|h)[ \t]*", re.IGNORECASE)


@dataclass(frozen=True)
class Duration:
    value: float
    unit: str

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"unit must be one of {UNITS}")
        if self.value < 0:
            raise ValueError("a duration cannot be negative")

    def working_seconds(self, day_seconds: int) -> int:
        """Working seconds for working-day and working-hour durations (calendar days have none)."""
        if self.unit == "working_days":
            return round(self.value * day_seconds)
        if self.unit == "working_hours":
            return round(self.value * 3600)
        raise ValueError("calendar days have no working-seconds length")

    def label(self) -> str:
        number = f"{self.value:g}".replace(".", ",")
        names = {"working_days": "ngày làm việc", "working_hours": "giờ làm việc", "calendar_days": "ngày"}
        return f"{number} {names[self.unit]}"


def parse_duration(text: str) -> Duration:
    match = _PATTERN.fullmatch(text)
    if not match:
        raise ValueError(f"bad duration {text!r}: use e.g. 3d, 0.5d, 4h, 10cd")
    return Duration(float(match.group(1).replace(",", ".")), _SUFFIX[match.group(2).lower()])
