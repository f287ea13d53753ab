"""Settings of the intake service: the only reader of the environment."""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from dunghan.settings import common_from_env


@dataclass(frozen=True)
class Settings:
    database_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/dunghan_intake"
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/%2F"
    amqp_prefix: str = ""
    amqp_producers: str = ""
    log_level: str = "INFO"
    port: int = 8001
    metrics_port: int = 9101
    api_keys: str = ""
    consumer_batch_size: int = 50
    consumer_batch_linger_ms: float = 30.0
    messaging_retention_days: float = 30.0
    id_pepper: str = "dev-pepper-change-me"
    orphan_window_seconds: float = 600.0
    orphan_scan_seconds: float = 30.0
    lookup_rate_per_minute: int = 10
    lookup_burst: int = 5
    max_body_bytes: int = 262_144
    max_clock_skew_seconds: float | None = None  # None: no check (tests with frozen clocks); env default 300
    migrate: bool = True
    registry_cache_seconds: float = 30.0  # API keys, AMQP users, units, officers, procedures read by facts
    multiproc_dir: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        e = os.environ if env is None else env
        return cls(
            **common_from_env(cls, e),
            id_pepper=e.get("INTAKE_ID_PEPPER", cls.id_pepper),
            orphan_window_seconds=float(e.get("INTAKE_ORPHAN_WINDOW_SECONDS", cls.orphan_window_seconds)),
            orphan_scan_seconds=float(e.get("INTAKE_ORPHAN_SCAN_SECONDS", cls.orphan_scan_seconds)),
            lookup_rate_per_minute=int(e.get("INTAKE_LOOKUP_RATE_PER_MINUTE", cls.lookup_rate_per_minute)),
            lookup_burst=int(e.get("INTAKE_LOOKUP_BURST", cls.lookup_burst)),
            max_body_bytes=int(e.get("INTAKE_MAX_BODY_BYTES", cls.max_body_bytes)),
            max_clock_skew_seconds=float(e.get("INTAKE_MAX_CLOCK_SKEW_SECONDS", "300")),
            migrate=e.get("INTAKE_MIGRATE", "1") != "0",
            registry_cache_seconds=float(e.get("INTAKE_REGISTRY_CACHE_SECONDS", cls.registry_cache_seconds)),
        )
