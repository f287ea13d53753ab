"""The storage port's contract: every method the fake implements answers the same on the fake and on
PostgreSQL (inserted or not, ordering, time zones, NULLs). The report queries aggregate in SQL and are tested on
PostgreSQL alone (test_campaign_flow, test_steps_and_receipts)."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from scoring_fakes import FakeRepository
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from dunghan.clock import LOCAL_TZ
from dunghan.contract.envelope import envelope_for
from dunghan.contract.events import DossierClassified, DueDateSet, StepResult
from dunghan.db.messaging import outbox_table
from dunghan.testing.database import port_suite
from scoring.bootstrap import MIGRATIONS
from scoring.domain import Proposal, Standing, StepCount, Tally, campaign_from_dict, campaign_to_dict
from scoring.ports import AlreadyExists
from scoring.repository import SqlRepository
from scoring.repository.tables import dossiers

pytestmark = pytest.mark.integration
NOW = datetime(2017, 7, 1, 9, tzinfo=LOCAL_TZ)


def campaign(cid: str = "c1", agency: str = "SCT"):
    return campaign_from_dict({"id": cid, "name": "Thi đua", "agency": agency, "phases": [
        {"key": "1", "starts_on": "2017-01-01", "ends_on": "2017-06-29", "review_date": "2017-06-30"},
        {"key": "2", "starts_on": "2017-06-30", "ends_on": "2017-12-31", "review_date": "2018-01-05"}]})


engine, repo = port_suite("scoring_contract", MIGRATIONS, FakeRepository, SqlRepository)


def classified(code: str, outcome: str = "on_time", *, steps=()) -> DossierClassified:
    stop = datetime(2017, 5, 2, 10, tzinfo=LOCAL_TZ)
    return DossierClassified(code, "SCT", "KTAT", "an", "P1", "thuong_mai", 2, stop - timedelta(days=3), stop,
                             "result_ready", outcome, 0, 8.0, due_at=stop, steps=steps)  # type: ignore[arg-type]


def test_inbox_accepts_an_event_once(repo):
    with repo.uow as tx:
        assert tx.inbox_accept("deadline", "e1") is True
        assert tx.inbox_accept("deadline", "e1") is False
        assert tx.inbox_accept("intake", "e1") is True


def test_inbox_accepts_many_events_at_once_and_says_which_were_new(repo):
    with repo.uow as tx:
        assert tx.inbox_accept("deadline", "e1") is True
        keys = [("deadline", "e2"), ("deadline", "e1"), ("intake", "e1"), ("deadline", "e2")]
        assert tx.inbox_accept_many(keys) == {("deadline", "e2"), ("intake", "e1")}
        assert tx.inbox_accept_many([]) == set()
        assert tx.inbox_accept("deadline", "e2") is False


def test_record_classified_answers_the_outcome_it_replaces(repo):
    due = DueDateSet("D1", "SCT", "KTAT", "an", NOW, NOW, "v1", "accepted")
    with repo.uow as tx:
        tx.record_due(due, True, NOW - timedelta(days=1))
        tx.set_waiting("D1", False)
        tx.set_waiting("nope", True)
        assert tx.record_classified(classified("D1"), 0, NOW) is None
        assert tx.record_classified(classified("D1", "late"), 1, NOW) == "on_time"
        assert tx.record_classified(classified("D2", "early"), 0, NOW) is None
    with repo.uow as tx:
        assert tx.record_classified(classified("D2", "early"), 0, NOW) == "early"


def test_phases_covering_a_day_in_campaign_and_phase_order(repo):
    with repo.uow as tx:
        tx.save_campaign(campaign("c2"))
        tx.save_campaign(campaign("c1"))
        tx.save_campaign(campaign("other", agency="XYZ"))
    with repo.uow as tx:
        final = "tong-ket"  # the final review (tổng kết) covers every phase's window
        assert tx.phases_covering("SCT", date(2017, 3, 1)) == [
            ("c1", "1", "open"), ("c1", final, "open"), ("c2", "1", "open"), ("c2", final, "open")]
        assert tx.phases_covering("SCT", date(2017, 6, 30)) == [
            ("c1", "2", "open"), ("c1", final, "open"), ("c2", "2", "open"), ("c2", final, "open")]
        assert tx.phases_covering("SCT", date(2018, 3, 1)) == []


def test_campaigns_are_stored_once_and_read_back(repo):
    with repo.uow as tx:
        tx.save_campaign(campaign("c1"))
    with pytest.raises(AlreadyExists), repo.uow as tx:
        tx.save_campaign(campaign("c1"))
    with repo.uow as tx:
        tx.save_campaign(campaign("c0"))
        stored = campaign_from_dict(campaign_to_dict(campaign("c1")))  # the criteria gain their labels
        assert tx.get_campaign("c1") == stored and tx.get_campaign("nope") is None
        listed = tx.list_campaigns()
        assert [(c.id, states) for c, states in listed] == [
            ("c0", {"1": "open", "2": "open", "tong-ket": "open"}),
            ("c1", {"1": "open", "2": "open", "tong-ket": "open"})]
        assert tx.lock_phase("c1", "1") == "open" and tx.lock_phase("c1", "9") is None


def test_phases_due_by_review_date_within_the_window(repo):
    with repo.uow as tx:
        tx.save_campaign(campaign("c2"))
        tx.save_campaign(campaign("c1"))
    with repo.uow as tx:
        assert tx.phases_due(date(2017, 6, 29)) == []
        assert tx.phases_due(date(2018, 1, 5)) == [
            ("c1", "1"), ("c2", "1"), ("c1", "2"), ("c1", "tong-ket"), ("c2", "2"), ("c2", "tong-ket")]
        assert tx.phases_due(date(2018, 1, 5), not_before=date(2017, 7, 1)) == [
            ("c1", "2"), ("c1", "tong-ket"), ("c2", "2"), ("c2", "tong-ket")]


def test_a_frozen_phase_reads_back_and_freezes_once(repo):
    c = campaign("c1")
    phase = c.phase("1")
    unit = Tally("unit", "KTAT", "Phòng KTAT", "KTAT", handled=3, early=1, on_time=2)
    officers = [Tally("officer", s, s, "KTAT", handled=1, on_time=1) for s in ("binh", "an")]
    standings = [Standing(1, unit, 95.5, {"ontime": 100.0}, {"no_complaint": True}),
                 Standing(2, officers[0], 90.0, {"ontime": 100.0}),
                 Standing(2, officers[1], 90.0, {"ontime": 100.0})]
    steps = [StepCount("sign", "KTAT", "an", "An", 4, late=1), StepCount("review", "KTAT", "an", "An", 2, early=3),
             StepCount("review", "KTAT", "binh", "", 2, on_time=1)]
    proposal = Proposal("unit", "KTAT", "Phòng KTAT", "Giấy khen", 1_000_000, ("đúng hạn 100%",))
    with repo.uow as tx:
        tx.save_campaign(c)
        assert tx.frozen("c1", "1", "unit") is None and tx.frozen_steps("c1", "1") is None
        tx.freeze(c, phase, standings, [proposal], NOW, "system", "ev-1", steps=steps)
    with pytest.raises(IntegrityError), repo.uow as tx:
        tx.freeze(c, phase, [], [], NOW, "system", "ev-2")
    with repo.uow as tx:
        assert tx.lock_phase("c1", "1") == "closed"
        closure, units = tx.frozen("c1", "1", "unit")
        _, people = tx.frozen("c1", "1", "officer")
        frozen_steps = tx.frozen_steps("c1", "1")
        assert tx.frozen_steps("c1", "2") is None
    assert closure["closed_at"] == NOW and closure["closed_by"] == "system" and closure["event_id"] == "ev-1"
    assert closure["config"] == c.config.to_json()
    assert [p["title"] for p in closure["proposals"]] == ["Giấy khen"]
    assert [(s.rank, s.tally, s.score, s.gates) for s in units] == [(1, unit, 95.5, {"no_complaint": True})]
    assert [s.tally.subject for s in people] == ["an", "binh"]
    assert frozen_steps == [steps[1], steps[2], steps[0]]


def test_corrections_keep_the_previous_outcome_and_the_steps(repo):
    stop = datetime(2017, 5, 2, 10, tzinfo=LOCAL_TZ)
    step = StepResult("review", "KTAT", "an", stop - timedelta(days=1), stop - timedelta(hours=2), stop, "late")
    with repo.uow as tx:
        tx.add_correction("c1", "1", classified("D1", "late", steps=(step,)), "e1", "on_time", NOW)
        tx.add_correction("c1", "1", classified("D2"), "e2", None, NOW)
        tx.add_correction("c1", "2", classified("D3"), "e3", None, NOW)
    with repo.uow as tx:
        found = tx.corrections("c1", "1")
        assert tx.corrections("c9", "1") == []
    keys = ("code", "event_id", "outcome", "previous_outcome", "stopped_at", "recorded_at", "steps")
    assert [tuple(c[k] for k in keys) for c in found] == [
        ("D1", "e1", "late", "on_time", stop, NOW, [{"step": "review", "unit": "KTAT", "officer": "an",
                                                      "outcome": "late", "due_at": step.due_at.isoformat(),
                                                      "ended_at": stop.isoformat()}]),
        ("D2", "e2", "on_time", None, stop, NOW, [])]


def test_complaints_and_discipline_get_ids_in_order(repo):
    c = campaign("c1")
    complaint = {"kind": "unit", "subject": "KTAT", "well_founded": True, "occurred_on": date(2017, 3, 1)}
    with repo.uow as tx:
        tx.save_campaign(c)
        assert tx.add_complaint(c, complaint) == 1
        assert tx.add_complaint(c, {**complaint, "subject": "QLTM"}) == 2
        assert tx.add_discipline(c, {"officer": "an", "unit": "KTAT", "starts_on": date(2017, 4, 1),
                                     "ends_on": None}) == 1


def test_the_outbox_and_every_write_roll_back_together(repo):
    from dunghan.contract.events import DossierRefused

    with pytest.raises(RuntimeError), repo.uow as tx:
        tx.add_outbox(envelope_for(DossierRefused("D1", "SCT", NOW), now=NOW))
        tx.record_classified(classified("D1"), 0, NOW)
        raise RuntimeError("rolled back")
    with repo.uow as tx:
        assert tx.record_classified(classified("D1"), 0, NOW) is None
        tx.add_outbox(envelope_for(DossierRefused("D2", "SCT", NOW), now=NOW))
    if isinstance(repo, FakeRepository):
        assert len(repo.state.outbox) == 1
    else:
        with repo.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(outbox_table)).scalar_one() == 1
            assert conn.execute(select(dossiers.c.classified_at)).scalar_one() == NOW.astimezone(UTC)
