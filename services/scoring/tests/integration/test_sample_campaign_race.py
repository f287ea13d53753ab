"""The web and the worker both load the sample campaign at start-up: the one that loses the race starts anyway."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest

from scoring import campaign_file, errors
from scoring.config import SAMPLE_CAMPAIGN
from scoring.repository import SqlRepository

pytestmark = pytest.mark.integration


class SeesNoCampaign:
    """The real repository, read before the other process committed: its check finds no campaign."""

    def __init__(self, repo: SqlRepository) -> None:
        self.repo = repo

    @contextlib.contextmanager
    def transaction(self, **kw: Any) -> Iterator[Any]:
        with self.repo.transaction(**kw) as tx:
            yield _TxBefore(tx)


class _TxBefore:
    def __init__(self, tx: Any) -> None:
        self.tx = tx

    def get_campaign(self, campaign_id: str) -> None:
        return None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.tx, name)


def test_loading_the_sample_campaign_stored_meanwhile_by_another_process_is_no_error(repo: SqlRepository) -> None:
    late: Any = SeesNoCampaign(repo)
    assert campaign_file.load_campaign_file(late, SAMPLE_CAMPAIGN, if_absent=True) is None
    with pytest.raises(errors.Conflict):
        campaign_file.load_campaign_file(late, SAMPLE_CAMPAIGN, if_absent=False)
