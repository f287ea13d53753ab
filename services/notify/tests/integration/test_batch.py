"""A consumer batch handled at once (``EventProcessor.handle_many``: inbox rows in one statement, tracking rows
written together) stores what the same events handled one by one store, when a dossier is tracked and closed
within the batch and an event comes twice."""
from datetime import UTC, datetime

import pytest

from dunghan.calendar import load_calendar
from dunghan.clock import LOCAL_TZ
from dunghan.contract import events as ev
from dunghan.contract.envelope import encode, envelope_for
from dunghan.db import make_engine, upgrade
from dunghan.testing.batches import delivery, in_batches, one_by_one, tables
from notify.bootstrap import MIGRATIONS
from notify.consumer import EventProcessor
from notify.domain import Officer, OpenDossier, Unit
from notify.render import Renderer
from notify.repository import SqlRepository

pytestmark = pytest.mark.integration
NOW = datetime(2017, 3, 2, 9, 0, tzinfo=LOCAL_TZ)


def bodies() -> list[bytes]:
    def due(code: str, day: int) -> ev.DueDateSet:
        at = datetime(2017, 3, day, 17, tzinfo=LOCAL_TZ)
        return ev.DueDateSet(code=code, agency="SCT", unit="QLTM", officer="cb1", due_at=at, original_due_at=at,
                             calendar_version="v1", reason="accepted")

    breached = ev.DeadlineBreached(code="SCT-170301-0002", agency="SCT", unit="QLTM", officer="cb1",
                                   due_at=datetime(2017, 3, 1, 17, tzinfo=LOCAL_TZ), days_overdue=1,
                                   procedure_code="P1", procedure_name="Cấp giấy phép",
                                   applicant_name="Nguyễn Văn Đức")
    classified = ev.DossierClassified(
        code="SCT-170301-0001", agency="SCT", unit="QLTM", officer="cb1", procedure_code="P1",
        procedure_field="TM", channel=1, accepted_at=NOW, stopped_at=NOW, stop_reason="result_ready",
        outcome="early", working_days_diff=-1, resolution_working_hours=8.0)
    first = encode(envelope_for(due("SCT-170301-0001", 6), now=NOW, event_id="e1"))
    return [first, encode(envelope_for(due("SCT-170301-0002", 1), now=NOW, event_id="e2")),
            encode(envelope_for(breached, now=NOW, event_id="e3")), first,
            encode(envelope_for(classified, now=NOW, event_id="e4")),
            encode(envelope_for(due("SCT-170301-0003", 7), now=NOW, event_id="e5"))]


def state(repo: SqlRepository) -> dict[str, list[tuple[object, ...]]]:
    return tables(repo.engine, {
        "open": "SELECT code, unit, officer, due_at, closed, procedure_name FROM open_dossiers ORDER BY code",
        "notifications": "SELECT dedupe_key, recipient, channel FROM notifications ORDER BY dedupe_key",
        "inbox": "SELECT source, event_id FROM inbox ORDER BY event_id"})


@pytest.fixture
def two_repos(make_database):
    repos = []
    for hint in ("notify_one", "notify_batch"):
        url = make_database(hint)
        upgrade(url, MIGRATIONS)
        repo = SqlRepository(make_engine(url))
        now = datetime.now(UTC)
        with repo.transaction() as tx:
            tx.upsert_unit(Unit("QLTM", "SCT", "Phòng Quản lý thương mại", "cb2"), now)
            tx.upsert_officer(Officer("cb1", "SCT", "QLTM", "Trần Thị Bình", "binh@example.vn", "0912345678"), now)
        repos.append(repo)
    yield repos
    for r in repos:
        r.engine.dispose()


def test_a_batch_stores_what_one_by_one_stores(two_repos):
    one, many = two_repos
    groups = [[delivery(b) for b in bodies()]]
    outcomes_one = one_by_one(EventProcessor(one, Renderer(), load_calendar(), clock=lambda: NOW), groups)
    processor = EventProcessor(many, Renderer(), load_calendar(), clock=lambda: NOW)
    outcomes_many = in_batches(many.uow, processor.handle_many, groups)
    assert outcomes_many == outcomes_one == ["ok", "ok", "ok", "duplicate", "ok", "ok"]
    want = state(one)
    assert [r[4] for r in want["open"]] == [True, False, False] and want["notifications"]
    assert state(many) == want


def test_tracking_written_together_is_there_for_the_next_statement_of_the_unit_of_work(two_repos):
    repo = two_repos[0]
    due = datetime(2017, 3, 9, 17, tzinfo=LOCAL_TZ)
    with repo.uow as tx:
        tx.track_dossier(OpenDossier("SCT-170301-0009", "SCT", "QLTM", "cb1", due, "Cấp phép", "An"), NOW)
        tx.track_dossier(OpenDossier("SCT-170301-0009", "SCT", "QLTM", "cb1", due, "", ""), NOW)
        [tracked] = tx.open_dossiers("QLTM")
    assert (tracked.code, tracked.procedure_name, tracked.applicant_name) == ("SCT-170301-0009", "Cấp phép", "An")
