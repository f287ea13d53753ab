"""The scoring service's own database, migrated, with the sample 2017 campaign loaded."""
from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from dunghan.db import make_engine, upgrade
from scoring import handlers
from scoring.bootstrap import MIGRATIONS
from scoring.config import SAMPLE_CAMPAIGN
from scoring.repository import SqlRepository


@pytest.fixture
def repo(make_database: Callable[[str], str]) -> Iterator[SqlRepository]:
    url = make_database("scoring")
    upgrade(url, MIGRATIONS)
    engine = make_engine(url)
    r = SqlRepository(engine)
    handlers.load_campaign_file(r, SAMPLE_CAMPAIGN)
    yield r
    engine.dispose()
