"""The web and the worker both load the sample campaign at start-up: the one that loses the race starts anyway."""
from __future__ import annotations

from typing import Any

import pytest

from scoring import campaign_file, errors
from scoring.config import SAMPLE_CAMPAIGN
from scoring.repository import ScoringUow, SqlRepository

pytestmark = pytest.mark.integration


class SeesNoCampaign(ScoringUow):
    """The real unit of work, read before the other process committed: its check finds no campaign."""

    def bind(self, conn: Any) -> Any:
        return _TxBefore(super().bind(conn))


class _Late:
    def __init__(self, repo: SqlRepository) -> None:
        self.uow = SeesNoCampaign(repo.engine)


class _TxBefore:
    def __init__(self, tx: Any) -> None:
        self.tx = tx

    def get_campaign(self, campaign_id: str) -> None:
        return None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.tx, name)


def test_loading_the_sample_campaign_stored_meanwhile_by_another_process_is_no_error(repo: SqlRepository) -> None:
    late: Any = _Late(repo)
    assert campaign_file.load_campaign_file(late, SAMPLE_CAMPAIGN, if_absent=True) is None
    with pytest.raises(errors.Conflict):
        campaign_file.load_campaign_file(late, SAMPLE_CAMPAIGN, if_absent=False)
