"""The scoring service's own database, migrated, with the sample 2017 campaign loaded."""
from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from dunghan.db import make_engine, upgrade
from scoring import campaign_file
from scoring.app import migrations_path
from scoring.config import SAMPLE_CAMPAIGN
from scoring.repository import SqlRepository


@pytest.fixture
def repo(make_database: Callable[[str], str]) -> Iterator[SqlRepository]:
    url = make_database("scoring")
    upgrade(url, migrations_path())
    engine = make_engine(url)
    r = SqlRepository(engine)
    campaign_file.load_campaign_file(r, SAMPLE_CAMPAIGN)
    yield r
    engine.dispose()
