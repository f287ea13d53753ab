"""What every use case starts from: the storage port, and a campaign or phase by its key (``NotFound`` else)."""
from __future__ import annotations

from datetime import date, datetime

from dunghan.clock import LOCAL_TZ
from scoring.domain import Campaign, CampaignError, Phase
from scoring.errors import NotFound
from scoring.ports import Campaigns, Repository

__all__ = ["Repository", "campaign_of", "local_day", "phase_of"]


def campaign_of(tx: Campaigns, campaign_id: str) -> Campaign:
    c = tx.get_campaign(campaign_id)
    if c is None:
        raise NotFound("campaign", f"không có chiến dịch {campaign_id!r}")
    return c


def phase_of(c: Campaign, key: str) -> Phase:
    try:
        return c.phase(key)
    except CampaignError as exc:
        raise NotFound("phase", exc.message) from exc


def local_day(instant: datetime) -> date:
    return instant.astimezone(LOCAL_TZ).date()
