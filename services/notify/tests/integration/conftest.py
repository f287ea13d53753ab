"""Integration fixtures: a migrated notify database and a seeded staff directory."""
from datetime import UTC, datetime

import pytest

from dunghan.db import make_engine, upgrade
from notify.bootstrap import MIGRATIONS
from notify.domain import Officer, Unit
from notify.repository import SqlRepository


@pytest.fixture
def db_url(make_database):
    url = make_database("notify")
    upgrade(url, MIGRATIONS)
    return url


@pytest.fixture
def repo(db_url):
    engine = make_engine(db_url)
    repo = SqlRepository(engine)
    now = datetime.now(UTC)
    with repo.transaction() as tx:
        tx.upsert_unit(Unit("QLTM", "SCT", "Phòng Quản lý thương mại", "cb2"), now)
        tx.upsert_officer(Officer("cb1", "SCT", "QLTM", "Trần Thị Bình", "binh@example.vn", "0912345678"), now)
        tx.upsert_officer(Officer("cb2", "SCT", "QLTM", "Lê Văn Hùng", "hung@example.vn", None), now)
    yield repo
    engine.dispose()
