"""Settings of the notify service: the only reader of the environment."""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from dunghan.clock import LOCAL_TZ
from dunghan.settings import COMMON_ENV


def _bool(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    database_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/dunghan_notify"
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/%2F"
    amqp_prefix: str = ""
    amqp_producers: str = ""
    log_level: str = "INFO"
    port: int = 8004
    metrics_port: int = 9104
    api_keys: str = ""
    consumer_batch_size: int = 50
    consumer_batch_linger_ms: float = 30.0
    messaging_retention_days: float = 30.0
    migrate: bool = True
    link_base: str = "https://dunghan.example.gov.vn/ho-so/"
    templates_dir: str | None = None
    timezone: str = LOCAL_TZ.key
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "Đúng hạn <dunghan@example.gov.vn>"
    smtp_timeout_seconds: float = 10.0
    sms_provider: str = "none"
    sms_http_url: str = ""
    sms_http_token: str | None = None
    sms_sender: str = "DUNGHAN"
    sms_timeout_seconds: float = 10.0
    sms_gsm7: bool = True
    smpp_host: str = "127.0.0.1"
    smpp_port: int = 2775
    smpp_system_id: str = ""
    smpp_password: str = ""
    max_attempts: int = 5
    retry_base_seconds: float = 30.0
    retry_cap_seconds: float = 3600.0
    claim_lease_seconds: float = 60.0
    send_batch: int = 20
    send_interval_seconds: float = 2.0
    digest_time: str = "07:30"
    sms_windows: str = "07:30-11:30,13:00-17:00"
    multiproc_dir: str | None = None
    digest_interval_seconds: float = 60.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        e = os.environ if env is None else env
        names = COMMON_ENV
        values: dict[str, Any] = {}
        for f in fields(cls):
            key = names.get(f.name, f"NOTIFY_{f.name.upper()}")
            if key not in e:
                continue
            raw = e[key]
            kind = str(f.type)
            if "bool" in kind:
                values[f.name] = _bool(raw)
            elif "int" in kind:
                values[f.name] = int(raw)
            elif "float" in kind:
                values[f.name] = float(raw)
            else:
                values[f.name] = raw or None if "None" in kind else raw
        return cls(**values)
