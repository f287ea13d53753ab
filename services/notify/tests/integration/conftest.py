"""Integration fixtures: a migrated notify database and a seeded staff directory."""
from datetime import UTC, datetime

import pytest

from dunghan.db import upgrade
from notify.bootstrap import MIGRATIONS, bootstrap
from notify.config import Settings
from notify.domain import Officer, Unit


@pytest.fixture
def db_url(make_database):
    url = make_database("notify")
    upgrade(url, MIGRATIONS)
    return url


@pytest.fixture
def repo(db_url):
    wired = bootstrap(Settings(database_url=db_url, migrate=False))
    repo, engine = wired.repo, wired.engine
    now = datetime.now(UTC)
    with repo.transaction() as tx:
        tx.upsert_unit(Unit("QLTM", "SCT", "Phòng Quản lý thương mại", "cb2"), now)
        tx.upsert_officer(Officer("cb1", "SCT", "QLTM", "Trần Thị Bình", "binh@example.vn", "0912345678"), now)
        tx.upsert_officer(Officer("cb2", "SCT", "QLTM", "Lê Văn Hùng", "hung@example.vn", None), now)
    yield repo
    engine.dispose()
