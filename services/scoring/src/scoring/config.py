"""Settings of the scoring service, read from the environment (the only module that reads it)."""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dunghan.settings import common_from_env
from dunghan.web.pages.settings import PagesSettings

SAMPLE_CAMPAIGN = str(Path(__file__).parent / "data" / "campaign_2017.yaml")


def _bool(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    database_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/dunghan_scoring"
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/%2F"
    amqp_prefix: str = ""
    amqp_producers: str = ""
    log_level: str = "INFO"
    port: int = 8003
    metrics_port: int = 9103
    api_keys: str = ""
    consumer_batch_size: int = 50
    consumer_batch_linger_ms: float = 30.0
    messaging_retention_days: float = 30.0
    sample_campaign: str = SAMPLE_CAMPAIGN
    load_sample_campaign: bool = True
    close_check_seconds: float = 300.0
    auto_close_window_days: int = 30
    migrate_on_start: bool = True
    multiproc_dir: str | None = None
    report_agency_names: str = "SCT:Sở Công Thương tỉnh Bà Rịa-Vũng Tàu"
    report_place: str = "Bà Rịa-Vũng Tàu"
    pages: PagesSettings = field(default_factory=PagesSettings)

    def agency_name(self, agency: str) -> str:
        """The reporting agency's name on signed forms (``SCORING_REPORT_AGENCY_NAMES``: ``CODE:Tên;…``)."""
        for item in self.report_agency_names.split(";"):
            code, _, name = item.partition(":")
            if code.strip() == agency and name.strip():
                return name.strip()
        return agency

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        e = os.environ if env is None else env
        d = cls()
        return cls(
            **common_from_env(cls, e),
            sample_campaign=e.get("SCORING_SAMPLE_CAMPAIGN", d.sample_campaign),
            load_sample_campaign=_bool(e.get("SCORING_LOAD_SAMPLE_CAMPAIGN", "true")),
            close_check_seconds=float(e.get("SCORING_CLOSE_CHECK_SECONDS", d.close_check_seconds)),
            auto_close_window_days=int(e.get("SCORING_AUTO_CLOSE_WINDOW_DAYS", d.auto_close_window_days)),
            migrate_on_start=_bool(e.get("SCORING_MIGRATE", "true")),
            report_agency_names=e.get("SCORING_REPORT_AGENCY_NAMES", d.report_agency_names),
            report_place=e.get("SCORING_REPORT_PLACE", d.report_place),
            pages=PagesSettings.from_env(e),
        )
