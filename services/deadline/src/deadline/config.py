"""Settings of the deadline service (``DEADLINE_*``, the calendar file and the common variables)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from dunghan.settings import ServiceSettings, setting
from dunghan.web.pages.settings import PagesSettings

MAX_GRACE_HOURS = 876_000.0  # a century: any longer and "due + grace" leaves the dates Python can hold


def _grace_hours(hours: float) -> float:
    if not 0 <= hours <= MAX_GRACE_HOURS:
        raise ValueError(f"must be between 0 and {MAX_GRACE_HOURS:.0f}, not {hours:g}")
    return hours


@dataclass(frozen=True)
class Settings(ServiceSettings):
    ENV_PREFIX: ClassVar[str] = "DEADLINE_"
    database_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/dunghan_deadline"
    port: int = 8002
    metrics_port: int = 9102
    notices_file: str | None = setting(None, env="CALENDAR_NOTICES_FILE")
    rules_file: str | None = None
    scan_interval_seconds: float = 30.0
    calendar_cache_seconds: float = 5.0
    history_grace_hours: float = setting(168.0, check=_grace_hours)
    pages: PagesSettings = field(default_factory=PagesSettings)
