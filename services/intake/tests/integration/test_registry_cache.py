"""The fact path's registry cache on PostgreSQL: stale at most the TTL, cleared by registry writes, history seq."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

import pytest

from dunghan.db import make_engine, upgrade
from intake.bootstrap import MIGRATIONS
from intake.domain import InboundError
from intake.handlers import Sender, digest_of, record_fact
from intake.inbound import load_fact
from intake.repository import SqlRepository

from ..conftest import T0, make_fact, seed  # type: ignore[import-not-found]

pytestmark = pytest.mark.integration
SENDER = Sender("motcua-sct", "SCT")


@dataclass
class Clock:
    t: float = 100.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture(scope="module")
def db(make_database):
    url = make_database("intake_cache")
    upgrade(url, MIGRATIONS)
    engine = make_engine(url)
    seed(SqlRepository(engine))
    yield engine
    engine.dispose()


def send(repo, raw):
    now = T0 + timedelta(hours=1)
    return record_fact(repo.facts, load_fact(raw), SENDER, now=now, pepper="p", digest=digest_of(raw))


def test_unit_removed_elsewhere_is_refused_after_the_ttl_and_own_writes_apply_at_once(db):
    clock = Clock()
    repo, other = SqlRepository(db, cache_seconds=30, clock=clock), SqlRepository(db)
    assert send(repo, make_fact("dossier.accepted", code="SCT-170306-0101")).reply["status"] == "accepted"
    with other.transaction() as tx:
        tx.conn.exec_driver_sql("UPDATE units SET agency = 'STP' WHERE code = 'SCT-QLTM'")
    try:
        assert send(repo, make_fact("dossier.accepted", code="SCT-170306-0102")).reply["status"] == "accepted"
        clock.t += 30
        with pytest.raises(InboundError) as err:
            send(repo, make_fact("dossier.accepted", code="SCT-170306-0103"))
        assert err.value.field == "unit"
    finally:
        with other.transaction() as tx:
            tx.conn.exec_driver_sql("UPDATE units SET agency = 'SCT' WHERE code = 'SCT-QLTM'")
    with repo.transaction() as tx:  # a registry write through the same repository clears its cache
        tx.save_unit(replace(tx.get_unit("SCT-QLTM"), name="Phòng Quản lý thương mại"))
    assert send(repo, make_fact("dossier.accepted", code="SCT-170306-0104")).reply["status"] == "accepted"


def test_history_steps_are_numbered_in_order(db):
    repo = SqlRepository(db)
    code = "SCT-170306-0201"
    send(repo, make_fact("dossier.accepted", code=code))
    send(repo, make_fact("dossier.transferred", code=code, at=T0 + timedelta(minutes=5)))
    send(repo, make_fact("result.ready", code=code, at=T0 + timedelta(minutes=9)))
    with repo.transaction() as tx:
        assert [(h.seq, h.fact) for h in tx.history(code)] == [
            (1, "dossier.accepted"), (2, "dossier.transferred"), (3, "result.ready")]
