"""Fixtures: a migrated deadline database per test module and the engine's dependencies over it."""
from __future__ import annotations

import pytest

from deadline.bootstrap import MIGRATIONS
from deadline.handlers import CalendarSource, Deps
from deadline.repository import SqlRepository
from dunghan.calendar import load_calendar
from dunghan.db import make_engine, upgrade

BASE = load_calendar(years=range(2016, 2027))


@pytest.fixture
def db_url(make_database):
    url = make_database("deadline")
    upgrade(url, MIGRATIONS)
    return url


@pytest.fixture
def repo(db_url):
    r = SqlRepository(make_engine(db_url))
    yield r
    r.engine.dispose()


@pytest.fixture
def deps(repo):
    return Deps(CalendarSource(BASE, repo.notices))
