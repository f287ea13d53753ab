"""Settings of the intake service (``INTAKE_*`` and the common variables, read by ``from_env``)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from dunghan.settings import ServiceSettings, setting


@dataclass(frozen=True)
class Settings(ServiceSettings):
    ENV_PREFIX: ClassVar[str] = "INTAKE_"
    database_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/dunghan_intake"
    port: int = 8001
    metrics_port: int = 9101
    id_pepper: str = "dev-pepper-change-me"
    orphan_window_seconds: float = 600.0
    orphan_scan_seconds: float = 30.0
    lookup_rate_per_minute: int = 10
    lookup_burst: int = 5
    max_body_bytes: int = 262_144
    # None: no check (tests with frozen clocks); 300 s when the variable is unset
    max_clock_skew_seconds: float | None = setting(None, unset=300.0)
    registry_cache_seconds: float = 30.0  # API keys, AMQP users, units, officers, procedures read by facts
