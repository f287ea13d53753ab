"""Settings of the deadline service: the only reader of the environment."""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from dunghan.settings import common_from_env
from dunghan.web.pages.settings import PagesSettings


@dataclass(frozen=True)
class Settings:
    database_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/dunghan_deadline"
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/%2F"
    amqp_prefix: str = ""
    amqp_producers: str = ""
    log_level: str = "INFO"
    port: int = 8002
    metrics_port: int = 9102
    notices_file: str | None = None
    rules_file: str | None = None
    scan_interval_seconds: float = 30.0
    calendar_cache_seconds: float = 5.0
    api_keys: str = ""
    consumer_batch_size: int = 50
    consumer_batch_linger_ms: float = 30.0
    messaging_retention_days: float = 30.0
    migrate: bool = True
    multiproc_dir: str | None = None
    history_grace_hours: float = 168.0
    pages: PagesSettings = field(default_factory=PagesSettings)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        e = os.environ if env is None else env
        return cls(
            **common_from_env(cls, e),
            notices_file=e.get("CALENDAR_NOTICES_FILE") or None,
            rules_file=e.get("DEADLINE_RULES_FILE") or None,
            scan_interval_seconds=float(e.get("DEADLINE_SCAN_INTERVAL_SECONDS", cls.scan_interval_seconds)),
            calendar_cache_seconds=float(e.get("DEADLINE_CALENDAR_CACHE_SECONDS", cls.calendar_cache_seconds)),
            migrate=e.get("DEADLINE_MIGRATE", "1") != "0",
            history_grace_hours=_grace_hours(e.get("DEADLINE_HISTORY_GRACE_HOURS", str(cls.history_grace_hours))),
            pages=PagesSettings.from_env(e),
        )


MAX_GRACE_HOURS = 876_000.0  # a century: any longer and "due + grace" leaves the dates Python can hold


def _grace_hours(raw: str) -> float:
    hours = float(raw)
    if not 0 <= hours <= MAX_GRACE_HOURS:
        raise ValueError(f"DEADLINE_HISTORY_GRACE_HOURS must be between 0 and {MAX_GRACE_HOURS:.0f}, not {raw}")
    return hours
