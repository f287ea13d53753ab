"""What every use case starts from: the storage port, and a campaign or phase by its key (``NotFound`` else)."""
from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import Any, Protocol

from dunghan.clock import LOCAL_TZ
from scoring.domain import Campaign, CampaignError, Phase
from scoring.errors import NotFound


class Repository(Protocol):
    def transaction(self) -> AbstractContextManager[Any]: ...


def campaign_of(tx: Any, campaign_id: str) -> Campaign:
    c: Campaign | None = tx.get_campaign(campaign_id)
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
