"""Settings of the notify service (``NOTIFY_*`` and the common variables, read by ``from_env``)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from dunghan.clock import LOCAL_TZ
from dunghan.settings import ServiceSettings


@dataclass(frozen=True)
class Settings(ServiceSettings):
    ENV_PREFIX: ClassVar[str] = "NOTIFY_"
    database_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/dunghan_notify"
    port: int = 8004
    metrics_port: int = 9104
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
    digest_interval_seconds: float = 60.0
