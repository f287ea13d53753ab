"""A consumer batch handled at once (``make_batch_handler``: the inbox rows of all its events in one statement)
stores what the same messages handled one by one store, redeliveries within the batch included."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dunghan.bus.consumer import Delivery
from dunghan.clock import LOCAL_TZ
from dunghan.contract.envelope import CloudEvent, encode, envelope_for
from dunghan.contract.events import (
    DossierAccepted,
    DossierClassified,
    DossierTransferred,
    DueDateSet,
    ProcedureSnapshot,
    SupplementRequested,
    UnitUpdated,
)
from dunghan.db import make_engine, upgrade
from dunghan.testing.batches import delivery as deliver
from dunghan.testing.batches import in_batches, one_by_one, tables
from scoring import campaign_file
from scoring.bootstrap import MIGRATIONS
from scoring.config import SAMPLE_CAMPAIGN
from scoring.consumer import make_batch_handler, make_handler
from scoring.repository import SqlRepository

pytestmark = pytest.mark.integration
NOW = datetime(2017, 4, 20, tzinfo=UTC)
DAY = datetime(2017, 4, 3, 9, tzinfo=LOCAL_TZ)


def delivery(ce: CloudEvent) -> Delivery:
    return deliver(encode(ce), message_id=ce.id)


def events() -> list[CloudEvent]:
    snap = ProcedureSnapshot(code="P1", version=1, name="Thủ tục", field="x", committed_value=3,
                             committed_unit="working_days", statutory_value=5, statutory_unit="working_days")
    out = []
    for i in range(3):
        code = f"D{i}"
        out += [DossierAccepted(code, "SCT", DAY, "KTAT", "an", snap, 1, "Công ty A"),
                DueDateSet(code, "SCT", "KTAT", "an", DAY + timedelta(days=3), DAY + timedelta(days=3), "v1",
                           "accepted"),
                SupplementRequested(code, "SCT", DAY + timedelta(hours=2), reason="thiếu"),
                DossierTransferred(code, "SCT", DAY + timedelta(hours=1), "QLTM", "binh"),
                DossierClassified(code, "SCT", "KTAT", "an", "P1", "x", 1, DAY, DAY + timedelta(days=3),
                                  "result_ready", "early", -1, 16.0)]
    out.append(UnitUpdated(agency="SCT", unit="KTAT", name="Phòng Kỹ thuật an toàn"))
    ces = [envelope_for(e, now=NOW) for e in out]
    return [*ces[:5], ces[0], ces[3], *ces[5:]]  # two redeliveries inside the batch


def state(repo: SqlRepository) -> dict[str, Any]:
    return tables(repo.engine, {"dossiers": "SELECT * FROM dossiers ORDER BY code",
                                "inbox": "SELECT source, event_id FROM inbox ORDER BY event_id",
                                "names": "SELECT * FROM names ORDER BY kind, subject",
                                "moves": "SELECT * FROM dossier_moves ORDER BY code, at, kind"})


@pytest.fixture
def two_repos(make_database: Callable[[str], str]) -> Iterator[list[SqlRepository]]:
    repos = []
    for hint in ("scoring_one", "scoring_batch"):
        url = make_database(hint)
        upgrade(url, MIGRATIONS)
        repo = SqlRepository(make_engine(url))
        campaign_file.load_campaign_file(repo, SAMPLE_CAMPAIGN)
        repos.append(repo)
    yield repos
    for r in repos:
        r.engine.dispose()


def test_a_batch_stores_what_one_by_one_stores(two_repos: list[SqlRepository]) -> None:
    one, many = two_repos
    groups = [[delivery(ce) for ce in events()]]
    outcomes_one = one_by_one(make_handler(one, clock=lambda: NOW), groups)
    outcomes_many = in_batches(many.uow, make_batch_handler(many, clock=lambda: NOW), groups)
    assert outcomes_many == outcomes_one
    assert outcomes_one.count("duplicate") == 2
    want, got = state(one), state(many)
    assert len(want["dossiers"]) == 3 and len(want["moves"]) == 9
    assert got == want
