"""The storage port's contract: every method answers the same on the fake and on PostgreSQL (inserted or not,
ordering, time zones, NULLs). A fake is a claim about the real thing; this suite holds it to it."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from deadline_factories import snapshot
from deadline_fakes import FakeRepository
from sqlalchemy import func, select

from deadline.bootstrap import MIGRATIONS
from deadline.domain import Dossier, Threshold
from deadline.repository import SqlRepository
from dunghan.calendar import Notice
from dunghan.clock import LOCAL_TZ
from dunghan.contract.events import DossierRefused
from dunghan.db.messaging import outbox_table
from dunghan.deadline import ClockEvent
from dunghan.testing.database import port_suite

pytestmark = pytest.mark.integration
NOW = datetime(2017, 3, 2, 9, 0, tzinfo=LOCAL_TZ)


engine, repo = port_suite("deadline_contract", MIGRATIONS, FakeRepository, SqlRepository)


def dossier(code: str, *, due: datetime | None = None, unit: str = "P1", officer: str = "cb1",
            agency: str = "SCT", **kw) -> Dossier:
    values = dict(code=code, agency=agency, procedure=snapshot(), unit=unit, officer=officer, channel=2,
                  applicant_name="Nguyễn Văn A", accepted_at=NOW - timedelta(days=2),
                  start_at=NOW - timedelta(days=2),
                  due_at=due, original_due_at=due, due_date=due.date() if due else None, state="running",
                  calendar_version="v1")
    values.update(kw)
    return Dossier(**values)


def save(repo, *dossiers: Dossier) -> None:
    with repo.uow as tx:
        for d in dossiers:
            tx.save(d, NOW)


def test_inbox_accepts_an_event_once(repo):
    with repo.uow as tx:
        assert tx.inbox_accept("intake", "e1") is True
        assert tx.inbox_accept("intake", "e1") is False
        assert tx.inbox_accept("other", "e1") is True


def test_a_dossier_reads_back_as_saved_with_its_nulls_and_instants(repo):
    due = datetime(2017, 3, 7, 17, tzinfo=LOCAL_TZ)
    full = dossier("D1", due=due, due_soon_at=due - timedelta(hours=8), next_threshold_at=due - timedelta(days=1),
                   classification={"outcome": "on_time", "diff": 0}, steps=({"step": "tiep_nhan", "n": 1},))
    bare = Dossier(code="D2", agency="SCT")
    save(repo, full, bare)
    save(repo, full.__class__(**{**full.__dict__, "officer": "cb9"}))
    with repo.uow as tx:
        got, empty, missing = tx.dossier("D1"), tx.dossier("D2", lock=False), tx.dossier("nope")
    assert got == full.__class__(**{**full.__dict__, "officer": "cb9"})
    assert got is not None and got.due_at is not None and got.due_at.utcoffset() is not None
    assert empty == bare and missing is None


def test_create_inserts_a_bare_dossier_and_leaves_one_that_exists(repo):
    save(repo, dossier("D1", unit="P9"))
    with repo.uow as tx:
        tx.create("D1", "SCT", NOW)
        tx.create("D2", "XYZ", NOW)
    with repo.uow as tx:
        assert tx.dossier("D1") == dossier("D1", unit="P9")
        assert tx.dossier("D2") == Dossier(code="D2", agency="XYZ")


def test_clock_events_come_back_in_time_order(repo):
    later = ClockEvent("supplement_requested", NOW + timedelta(hours=1), event_id="e2")
    first = ClockEvent("accepted", NOW, unit="P1", officer="cb1", event_id="e1")
    same_time = ClockEvent("apology_issued", NOW + timedelta(hours=1), new_due_date=date(2017, 3, 9),
                           decision="QĐ 1", event_id="e3")
    with repo.uow as tx:
        for ce in (later, first, same_time):
            tx.add_event("D1", ce, NOW)
    with repo.uow as tx:
        assert tx.events("D1") == [first, later, same_time]
        assert tx.events("nope") == []


def test_a_threshold_fires_once_and_is_remembered(repo):
    th = Threshold("d-1", "d-1", NOW)
    with repo.uow as tx:
        assert tx.fire("D1", th, emitted=True, now=NOW) is True
        assert tx.fire("D1", th, emitted=False, now=NOW) is False
        assert tx.fire("D1", Threshold("overdue", "overdue", NOW), emitted=False, now=NOW) is True
        assert tx.fire("D2", th, emitted=True, now=NOW) is True
    with repo.uow as tx:
        assert tx.fired("D1") == {"d-1", "overdue"} and tx.fired("nope") == set()


def test_claims_take_running_dossiers_in_order(repo):
    save(repo,
         dossier("D3", next_threshold_at=NOW - timedelta(hours=1)),
         dossier("D1", next_threshold_at=NOW - timedelta(hours=2)),
         dossier("D2", next_threshold_at=NOW - timedelta(hours=1)),
         dossier("D4", next_threshold_at=NOW + timedelta(hours=1)),
         dossier("D5", next_threshold_at=NOW - timedelta(hours=3), paused=True),
         dossier("D6", next_threshold_at=NOW - timedelta(hours=3), stopped_at=NOW),
         Dossier(code="D0", agency="SCT"))
    with repo.uow as tx:
        assert tx.claim_due(NOW, 10) == ["D1", "D2", "D3"]
        assert tx.claim_due(NOW, 2) == ["D1", "D2"]
        assert tx.claim_open("", 10) == ["D1", "D2", "D3", "D4", "D5"]
        assert tx.claim_open("D2", 2) == ["D3", "D4"]


def test_open_dossiers_filter_and_sort_by_due_date_then_code(repo):
    base = datetime(2017, 3, 6, 17, tzinfo=LOCAL_TZ)
    save(repo,
         dossier("B", due=base), dossier("A", due=base), dossier("C", due=base - timedelta(days=3), unit="P2"),
         dossier("D", due=base - timedelta(days=3), paused=True), dossier("E", due=base, stopped_at=NOW),
         dossier("F"), dossier("G", due=base + timedelta(days=9), agency="XYZ", officer="cb2"))
    codes = lambda found: [d.code for d in found]  # noqa: E731
    assert codes(repo.open_dossiers()) == ["C", "D", "A", "B", "G"]
    assert codes(repo.open_dossiers(due_before=base)) == ["C", "D", "A", "B"]
    assert codes(repo.open_dossiers(overdue_at=base)) == ["C"]
    assert codes(repo.open_dossiers(unit="P2")) == ["C"]
    assert codes(repo.open_dossiers(agency="XYZ", officer="cb2")) == ["G"]
    assert codes(repo.open_dossiers(agency="SCT", unit="", officer=None)) == ["C", "D", "A", "B"]


def test_band_counts_per_agency_unit_and_band_in_order(repo):
    save(repo,
         dossier("A", due=NOW - timedelta(hours=1)), dossier("B", due=NOW + timedelta(days=5)),
         dossier("C", due=NOW + timedelta(hours=3), due_soon_at=NOW - timedelta(hours=1)),
         dossier("D", due=NOW - timedelta(days=1), paused=True), dossier("E", due=NOW - timedelta(days=1)),
         dossier("F", due=NOW, unit="P0"), dossier("G"), dossier("H", due=NOW, stopped_at=NOW))
    assert repo.band_counts(NOW) == [
        ("SCT", "P0", "in_time", 1), ("SCT", "P1", "due_soon", 1), ("SCT", "P1", "in_time", 1),
        ("SCT", "P1", "overdue", 2), ("SCT", "P1", "waiting_applicant", 1)]


def test_recompute_runs_and_notices_read_back(repo):
    before = dossier("B", due=NOW)
    with repo.uow as tx:
        tx.log_recompute("r1", before, dossier("B", due=NOW + timedelta(days=1)), NOW)
        tx.log_recompute("r1", dossier("A"), dossier("A", due=NOW), NOW)
        tx.log_recompute("r2", before, before, NOW)
        tx.add_notice(Notice(date(2017, 4, 6), "off", "Giỗ Tổ Hùng Vương", "", date(2017, 1, 1)), NOW)
        tx.add_notice(Notice(date(2017, 4, 8), "makeup", "Làm bù", "TB 1", date(2017, 2, 1)), NOW)
    runs = repo.recompute_runs("r1")
    assert [(r["code"], r["before_due_at"], r["after_due_at"]) for r in runs] == [
        ("A", None, NOW), ("B", NOW, NOW + timedelta(days=1))]
    assert repo.recompute_runs("none") == []
    assert [(n.date, n.kind, n.reference) for n in repo.notices()] == [
        (date(2017, 4, 6), "off", ""), (date(2017, 4, 8), "makeup", "TB 1")]


def test_published_events_are_kept_with_the_transaction(repo):
    with repo.uow as tx:
        tx.publish(DossierRefused(code="D1", agency="SCT", occurred_at=NOW, reason="x"), NOW)
    with pytest.raises(RuntimeError), repo.uow as tx:
        tx.publish(DossierRefused(code="D2", agency="SCT", occurred_at=NOW, reason="x"), NOW)
        raise RuntimeError("rolled back")
    if isinstance(repo, FakeRepository):
        assert [e.code for e in repo.published] == ["D1"]
    else:
        with repo.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(outbox_table)).scalar_one() == 1
    assert datetime.now(UTC) > NOW
