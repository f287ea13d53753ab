"""The scoring service's own database, migrated, with the sample 2017 campaign loaded."""
from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from scoring.bootstrap import bootstrap
from scoring.config import Settings
from scoring.ports import Repository


@pytest.fixture
def repo(make_database: Callable[[str], str]) -> Iterator[Repository]:
    wired = bootstrap(Settings(database_url=make_database("scoring")))  # migrated, the sample campaign loaded
    yield wired.repo
    assert wired.engine is not None
    wired.engine.dispose()
