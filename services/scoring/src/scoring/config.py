"""Settings of the scoring service (``SCORING_*`` and the common variables, read by ``from_env``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from dunghan.settings import ServiceSettings
from dunghan.web.pages.settings import PagesSettings

SAMPLE_CAMPAIGN = str(Path(__file__).parent / "data" / "campaign_2017.yaml")


@dataclass(frozen=True)
class Settings(ServiceSettings):
    ENV_PREFIX: ClassVar[str] = "SCORING_"
    database_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/dunghan_scoring"
    port: int = 8003
    metrics_port: int = 9103
    sample_campaign: str = SAMPLE_CAMPAIGN
    load_sample_campaign: bool = True
    close_check_seconds: float = 300.0
    auto_close_window_days: int = 30
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
