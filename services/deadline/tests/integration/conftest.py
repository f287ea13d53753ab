"""Fixtures: a migrated deadline database per test module and the engine's dependencies over it."""
from __future__ import annotations

import pytest

from deadline.bootstrap import MIGRATIONS, bootstrap
from deadline.config import Settings
from deadline.handlers import CalendarSource, Deps
from dunghan.calendar import load_calendar
from dunghan.db import upgrade

BASE = load_calendar(years=range(2016, 2027))


@pytest.fixture
def db_url(make_database):
    url = make_database("deadline")
    upgrade(url, MIGRATIONS)
    return url


@pytest.fixture
def repo(db_url):
    wired = bootstrap(Settings(database_url=db_url, migrate=False))
    yield wired.repo
    assert wired.engine is not None
    wired.engine.dispose()


@pytest.fixture
def deps(repo):
    return Deps(CalendarSource(BASE, repo.notices))
