"""The one wall clock and the one local time zone of the system; imports nothing heavy.

Domain code takes ``now`` as a parameter; entry points pass ``utc_now`` (or a fake clock in tests)."""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")  # Vietnam: UTC+7 all year, no daylight saving


def utc_now() -> datetime:
    """The current instant, timezone-aware in UTC."""
    return datetime.now(UTC)
