"""The storage ports' contract: every method answers the same on the in-memory adapter and on PostgreSQL, both
through a plain unit of work and through the fact path's (``repo.facts``, whose writes go out together):
inserted or not, ordering, time zones, NULLs."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from intake_fakes import InMemoryRepository
from sqlalchemy import func, select

from dunghan.contract.envelope import envelope_for
from dunghan.contract.events import DossierRefused, StepBudget
from dunghan.db.messaging import outbox_table
from dunghan.testing.database import port_suite
from intake.bootstrap import MIGRATIONS
from intake.domain import Status, is_overdue
from intake.records import (
    Agency,
    Dossier,
    DossierFilter,
    HistoryEntry,
    Officer,
    PendingFact,
    ProblemReport,
    ProcedureVersion,
    Received,
    SourceSystem,
    Unit,
)
from intake.repository import SqlRepository

pytestmark = pytest.mark.integration
ICT = timezone(timedelta(hours=7))
NOW = datetime(2017, 3, 2, 9, 0, tzinfo=ICT)


engine, repo = port_suite("intake_contract", MIGRATIONS, InMemoryRepository,
                          lambda engine: SqlRepository(engine, cache_seconds=0),
                          kinds=("fake", "postgres", "postgres_fact_path"))


@pytest.fixture
def fact_path(request) -> bool:
    return "fact_path" in request.node.callspec.params["repo"]


def tx_of(repo, fact_path: bool):
    return repo.facts if fact_path else repo.transaction()


def dossier(code: str, **kw) -> Dossier:
    values = dict(code=code, agency="SCT", status=2, procedure_code="1.001", procedure_version=1,
                  procedure_field="thuong_mai", channel=2, unit="QLTM", officer="cb1", step="xu_ly",
                  applicant_name="Nguyễn Văn A", id_number_hash="h" * 64, submitted_at=NOW - timedelta(days=1),
                  accepted_at=NOW - timedelta(hours=20), appointment_at=NOW + timedelta(days=3),
                  updated_at=NOW)
    values.update(kw)
    return Dossier(**values)


def entry(code: str, seq: int, fact: str = "accepted", **kw) -> HistoryEntry:
    values = dict(code=code, seq=seq, fact=fact, occurred_at=NOW + timedelta(minutes=seq), received_at=NOW,
                  source="mc", sender_event_id=f"s{seq}", status=2, unit="QLTM", officer=None, step=None,
                  canonical_event_id=f"c-{code}-{seq}", details={"n": seq, "tên": "Bình"})
    values.update(kw)
    return HistoryEntry(**values)


def pending(event_id: str, code: str, occurred: datetime, received: datetime) -> PendingFact:
    return PendingFact("SCT", event_id, code, "result_ready", occurred, {"event_id": event_id}, "mc", received)


def test_a_dossier_and_its_history_read_back_with_nulls_and_instants(repo, fact_path):
    full, bare = dossier("D1"), Dossier("D2", "SCT", 1)
    with tx_of(repo, fact_path) as tx:
        tx.save_dossier(full)
        tx.save_dossier(bare)
        tx.append_history(entry("D1", 0))
        tx.append_history(entry("D1", 0, "result_ready", details={}))
    with tx_of(repo, fact_path) as tx:
        tx.save_dossier(dossier("D1", status=4, resolved_at=NOW, new_due_date=date(2017, 3, 9)))
    with tx_of(repo, False) as tx:
        assert tx.get_dossier("D1") == dossier("D1", status=4, resolved_at=NOW, new_due_date=date(2017, 3, 9))
        assert tx.get_dossier("D2") == bare and tx.get_dossier("nope") is None
        assert tx.get_dossier("D1").accepted_at.utcoffset() is not None
        history = tx.history("D1")
    assert [(h.seq, h.fact, h.details) for h in history] == [(1, "accepted", {"n": 0, "tên": "Bình"}),
                                                              (2, "result_ready", {})]
    assert history[0].officer is None and history[0].occurred_at == NOW


def test_history_comes_back_by_step_number(repo):
    with repo.transaction() as tx:
        tx.append_history(entry("D1", 7, fact="accepted"))
        tx.append_history(entry("D9", 7))
        tx.append_history(entry("D1", 7, fact="result_ready"))
    with repo.transaction() as tx:
        assert [(h.seq, h.fact) for h in tx.history("D1")] == [(1, "accepted"), (2, "result_ready")]
        assert [h.seq for h in tx.history("D9")] == [1]
        assert tx.history("nope") == []


def test_fact_state_reads_the_receipt_the_dossier_and_the_buffer(repo, fact_path):
    receipt = Received("SCT", "e1", "d" * 64, "applied", {"status": "applied", "n": None}, NOW)
    with tx_of(repo, fact_path) as tx:
        empty = tx.fact_state("SCT", "e1", "D1")
        tx.put_received(receipt)
        tx.save_dossier(dossier("D1"))
        tx.add_pending(pending("e2", "D1", NOW, NOW))
    assert (empty.received, empty.dossier, empty.buffered) == (None, None, False)
    with tx_of(repo, fact_path) as tx:
        state = tx.fact_state("SCT", "e1", "D1")
        other = tx.fact_state("XYZ", "e1", "D2")
    assert state.received == receipt and state.dossier == dossier("D1") and state.buffered is True
    assert (other.received, other.dossier, other.buffered) == (None, None, False)


def test_fact_state_after_a_read_ahead_sees_what_the_transaction_wrote_since(repo, fact_path):
    receipt = Received("SCT", "e1", "d" * 64, "applied", {"status": "applied"}, NOW)
    with tx_of(repo, fact_path) as tx:
        tx.save_dossier(dossier("D1", status=1))
    with tx_of(repo, fact_path) as tx:
        tx.lock_dossiers(["D1", "D2"])
        tx.read_ahead([("SCT", "e1", "D1"), ("SCT", "e2", "D1"), ("SCT", "e3", "D2")])
        first = tx.fact_state("SCT", "e1", "D1")
        tx.save_dossier(dossier("D1", status=2, apology_count=1))
        tx.put_received(receipt)
        second = tx.fact_state("SCT", "e2", "D1")
        again = tx.fact_state("SCT", "e1", "D1")
        tx.add_pending(pending("e4", "D2", NOW, NOW))
        other = tx.fact_state("SCT", "e3", "D2")
    assert first.dossier == dossier("D1", status=1) and first.received is None
    assert second.dossier == dossier("D1", status=2, apology_count=1) and second.received is None
    assert again.received == receipt and not second.buffered
    assert (other.dossier, other.buffered) == (None, True)


def test_receipts_are_replaced_and_kept(repo, fact_path):
    with tx_of(repo, fact_path) as tx:
        tx.put_received(Received("SCT", "e1", "a", "buffered", {"status": "buffered"}, NOW))
        tx.put_received(Received("SCT", "e1", "a", "applied", {"status": "applied"}, NOW))
        tx.put_received(Received("SCT", "e2", "b", "rejected", {"status": "rejected"}, NOW))
    with tx_of(repo, False) as tx:
        assert tx.get_received("SCT", "e1") == Received("SCT", "e1", "a", "applied", {"status": "applied"}, NOW)
        assert tx.get_received("SCT", "e2") == Received("SCT", "e2", "b", "rejected", {"status": "rejected"}, NOW)
        assert tx.get_received("SCT", "nope") is None


def test_locking_dossiers_twice_or_none_is_harmless(repo, fact_path):
    with tx_of(repo, fact_path) as tx:
        tx.lock_dossiers([])
        tx.lock_dossiers(["SCT-170306-0001", "SCT-170306-0001"])
        tx.lock_dossiers(["SCT-170306-0001"])
        assert tx.get_dossier("SCT-170306-0001") is None


def test_pending_facts_in_occurrence_then_arrival_order(repo, fact_path):
    with tx_of(repo, fact_path) as tx:
        tx.add_pending(pending("e3", "D1", NOW, NOW + timedelta(seconds=2)))
        tx.add_pending(pending("e1", "D1", NOW - timedelta(hours=1), NOW + timedelta(seconds=5)))
        tx.add_pending(pending("e2", "D1", NOW, NOW + timedelta(seconds=1)))
        tx.add_pending(pending("e4", "D2", NOW, NOW - timedelta(hours=1)))
    with tx_of(repo, False) as tx:
        assert [p.event_id for p in tx.pending_for("D1")] == ["e1", "e2", "e3"]
        assert [p.event_id for p in tx.pending_received_before(NOW + timedelta(seconds=3))] == ["e4", "e2", "e3"]
        tx.delete_pending("SCT", "e2")
        assert [p.event_id for p in tx.pending_for("D1")] == ["e1", "e3"]
        got = tx.pending_for("D2")[0]
    assert got == pending("e4", "D2", NOW, NOW - timedelta(hours=1)) and got.reply_to is None


def test_dossiers_are_listed_by_code_filtered_and_paged(repo):
    with repo.transaction() as tx:
        tx.save_dossier(dossier("C", unit="KTAT"))
        tx.save_dossier(dossier("A", appointment_at=NOW - timedelta(hours=1)))
        tx.save_dossier(dossier("B", status=5, resolved_at=NOW, appointment_at=NOW - timedelta(days=1)))
        tx.save_dossier(dossier("D", status=4, appointment_at=None, accepted_at=None))
    with repo.transaction() as tx:
        codes = lambda flt: ([d.code for d in tx.list_dossiers(flt)[0]], tx.list_dossiers(flt)[1])  # noqa: E731
        assert codes(DossierFilter()) == (["A", "B", "C", "D"], 4)
        assert codes(DossierFilter(per_page=2, page=2)) == (["C", "D"], 4)
        assert codes(DossierFilter(unit="QLTM", status=2)) == (["A"], 1)
        assert codes(DossierFilter(overdue_at=NOW)) == (["A"], 1)
        assert codes(DossierFilter(received_from=NOW - timedelta(days=1), received_to=NOW)) == (["A", "B", "C"], 3)
        assert codes(DossierFilter(resolved_from=NOW, resolved_to=NOW + timedelta(seconds=1))) == (["B"], 1)
        assert codes(DossierFilter(agency="XYZ")) == ([], 0)


def test_the_overdue_filter_is_the_domain_rule_for_every_status(repo):
    past, future = NOW - timedelta(minutes=1), NOW + timedelta(minutes=1)
    with repo.transaction() as tx:
        for st in Status:
            tx.save_dossier(dossier(f"P{st:02d}", status=int(st), appointment_at=past))
            tx.save_dossier(dossier(f"F{st:02d}", status=int(st), appointment_at=future))
        tx.save_dossier(dossier("N", status=2, appointment_at=None))
    with repo.transaction() as tx:
        got = [d.code for d in tx.list_dossiers(DossierFilter(overdue_at=NOW, per_page=100))[0]]
    assert got == [f"P{st:02d}" for st in Status if is_overdue(st, past, NOW)] == ["P02", "P04", "P06"]


def test_the_registry_reads_back_in_code_order(repo):
    steps = (StepBudget("tiep_nhan", 4.0), StepBudget("tham_dinh", 12.5))
    v1 = ProcedureVersion("1.002", 1, "SCT", "Cấp phép", "thuong_mai", 10, "working_days", 7, "working_days",
                          date(2017, 1, 1), None, False, (2, 3), steps)
    with repo.transaction() as tx:
        tx.save_agency(Agency("SCT", "Sở Công Thương"))
        tx.save_agency(Agency("SCT", "Sở Công Thương tỉnh"))
        tx.save_agency(Agency("ABC", "Sở khác"))
        tx.save_unit(Unit("QLTM", "SCT", "Phòng QLTM", "cb2"))
        tx.save_unit(Unit("KTAT", "SCT", "Phòng KTAT"))
        tx.save_unit(Unit("X", "ABC", "Phòng X"))
        tx.save_officer(Officer("cb2", "SCT", "QLTM", "Lê Văn Hùng", "Trưởng phòng", "h@example.vn"))
        tx.save_officer(Officer("cb1", "SCT", "KTAT", "Trần Thị Bình"))
        tx.save_procedure_version(v1)
        tx.save_procedure_version(ProcedureVersion("1.002", 2, "SCT", "Cấp phép", "thuong_mai", 10, "working_days",
                                                   5, "working_days", date(2017, 6, 1)))
        tx.save_procedure_version(ProcedureVersion("1.001", 1, "ABC", "Khác", "x", 1, "days", 1, "days",
                                                   date(2017, 1, 1), date(2017, 12, 31), True))
    with repo.transaction() as tx:
        assert tx.list_agencies() == [Agency("ABC", "Sở khác"), Agency("SCT", "Sở Công Thương tỉnh")]
        assert tx.get_agency("nope") is None
        assert [u.code for u in tx.list_units(None)] == ["KTAT", "QLTM", "X"]
        assert [u.code for u in tx.list_units("SCT")] == ["KTAT", "QLTM"]
        assert tx.get_unit("KTAT") == Unit("KTAT", "SCT", "Phòng KTAT", None, None)
        assert [o.code for o in tx.list_officers("SCT", None)] == ["cb1", "cb2"]
        assert [o.code for o in tx.list_officers(None, "QLTM")] == ["cb2"]
        assert tx.get_officer("cb1") == Officer("cb1", "SCT", "KTAT", "Trần Thị Bình", "", None, None, True)
        assert tx.get_officer("nope") is None and tx.get_unit("nope") is None
        versions = tx.procedure_versions("1.002")
        assert [v.version for v in versions] == [1, 2] and versions[0] == v1
        assert tx.procedure_versions("nope") == []
        assert tx.list_procedure_codes(None) == ["1.001", "1.002"]
        assert tx.list_procedure_codes("SCT") == ["1.002"]


def test_problems_get_ids_in_order(repo):
    report = ProblemReport(0, "1.002", "SCT", "cb1", "Thiếu mẫu đơn", "", NOW)
    with repo.transaction() as tx:
        first = tx.add_problem(report)
        second = tx.add_problem(ProblemReport(0, "1.003", "SCT", "cb2", "Sai thời hạn", "chi tiết", NOW))
    assert (first.id, second.id) == (1, 2) and first == ProblemReport(1, *list(report.__dict__.values())[1:])
    with repo.transaction() as tx:
        assert [p.id for p in tx.list_problems(None)] == [1, 2]
        assert tx.list_problems("1.003") == [second] and tx.list_problems("nope") == []


def test_source_systems_are_found_by_amqp_user_or_key(repo):
    with repo.transaction() as tx:
        tx.save_source(SourceSystem("mc", "SCT", "system", "mc-user", "k" * 64))
        tx.save_source(SourceSystem("ops", "SCT", "operator", None, "o" * 64))
    with repo.transaction() as tx:
        assert tx.source_by_amqp_user("mc-user") == SourceSystem("mc", "SCT", "system", "mc-user", "k" * 64)
        assert tx.source_by_key("o" * 64) == SourceSystem("ops", "SCT", "operator", None, "o" * 64)
        assert tx.source_by_amqp_user("nope") is None and tx.source_by_key("nope") is None


def test_the_outbox_commits_with_the_transaction_only(repo, fact_path):
    event = DossierRefused(code="D1", agency="SCT", occurred_at=NOW, reason="thiếu giấy tờ")
    with tx_of(repo, fact_path) as tx:
        tx.outbox(envelope_for(event, now=NOW))
    with pytest.raises(RuntimeError), tx_of(repo, fact_path) as tx:
        tx.outbox(envelope_for(event, now=NOW))
        tx.save_dossier(dossier("D1"))
        raise RuntimeError("rolled back")
    with tx_of(repo, False) as tx:
        assert tx.get_dossier("D1") is None
    if isinstance(repo, InMemoryRepository):
        assert len(repo.published) == 1
    else:
        with repo.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(outbox_table)).scalar_one() == 1
    assert datetime.now(UTC) > NOW


def test_the_outbox_keeps_the_order_of_a_batchs_messages(repo, fact_path):
    made = {n: envelope_for(DossierRefused(code=n, agency="SCT", occurred_at=NOW, reason="r"), now=NOW)
            for n in ("D0", "D1", "D2a", "D2b")}
    with tx_of(repo, fact_path) as tx:
        tx.outbox(made["D0"])
        tx.message(2)
        tx.outbox(made["D2a"])
        tx.outbox(made["D2b"])
        tx.message(1)
        tx.save_dossier(dossier("D1"))
        tx.outbox(made["D1"])
        assert tx.get_dossier("D1") == dossier("D1")
    if isinstance(repo, InMemoryRepository):
        ids = [ce.id for ce in repo.published]
    else:
        with repo.engine.connect() as conn:
            ids = list(conn.execute(select(outbox_table.c.event_id).order_by(outbox_table.c.id)).scalars())
    assert ids == [made[n].id for n in ("D0", "D1", "D2a", "D2b")]
