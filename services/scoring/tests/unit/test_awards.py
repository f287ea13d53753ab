"""Reward proposals' workflow on the in-memory fake: drafted at closing, union compiles, leadership decides."""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from proposal_fakes import FakeProposalStore, proposal_store_contract

from dunghan.uow import AbstractUnitOfWork
from scoring import awards, commands, errors, readers
from scoring.domain import CampaignError, Proposal, Standing, Tally, campaign_from_dict

CAMPAIGN = campaign_from_dict({"id": "c", "name": "Thi đua", "agency": "SCT", "phases": [
    {"key": "1", "starts_on": "2017-03-01", "ends_on": "2017-06-29", "review_date": "2017-06-30"},
    {"key": "2", "starts_on": "2017-07-01", "ends_on": "2017-12-30", "review_date": "2017-12-31"}]})
NOW = datetime(2017, 7, 3, 3, tzinfo=UTC)
UNION, LEADER = awards.Actor("cong-doan", "union"), awards.Actor("giam-doc", "leadership")


class Tx(FakeProposalStore):
    def __init__(self, rows: dict[str, Any]) -> None:
        self.rows = rows

    def get_campaign(self, campaign_id: str) -> Any:
        return CAMPAIGN if campaign_id == "c" else None

    def frozen(self, campaign_id: str, phase: str, kind: str) -> Any:
        t = Tally("officer", "binh", "Trần Bình", "QLTM", handled=9, on_time=9, role="chuyen_vien")
        return {}, [Standing(2, t, 70.0, t.values(), {})] if kind == "officer" else []


class _Uow(AbstractUnitOfWork[Tx]):
    def __init__(self, rows: dict[str, Any]) -> None:
        super().__init__()
        self.rows = rows

    def _begin(self) -> Tx:
        return Tx(self.rows)

    def _commit(self, ports: Tx) -> None:
        return None

    def _rollback(self) -> None:
        return None


class Repo:
    def __init__(self) -> None:
        self.rows: dict[str, Any] = {}
        self.uow = _Uow(self.rows)


def closed_phase_1() -> Repo:
    repo = Repo()
    with repo.uow as tx:
        awards.draft_proposals(tx, CAMPAIGN, CAMPAIGN.phase("1"), [
            Proposal("officer", "an", "Nguyễn Văn An", "Giấy khen (cá nhân)", 363_000, ("x",), "KTAT")],
            NOW, "hệ thống")
    return repo


def test_the_fake_keeps_the_proposal_store_contract() -> None:
    proposal_store_contract(Repo())


def test_union_adds_and_removes_with_reasons_then_leadership_decides_at_that_dates_base_salary() -> None:
    repo = closed_phase_1()
    body = {"kind": "officer", "subject": "binh", "title": "Giấy khen (cá nhân)", "reason": "Nhân tố điển hình"}
    pid = commands.add_proposal(repo, "c", "1", body, UNION, NOW)
    with pytest.raises(errors.Conflict):
        commands.add_proposal(repo, "c", "1", {"kind": "officer", "subject": "binh",
                                               "title": "Giấy khen (cá nhân)", "reason": "lần nữa"}, UNION, NOW)
    with pytest.raises(CampaignError) as err:
        commands.add_proposal(repo, "c", "1", {"kind": "officer", "subject": "an2", "title": "Lao động tiên tiến",
                                             "reason": "danh hiệu năm"}, UNION, NOW)
    assert err.value.field == "title"
    first = readers.proposal_review(repo, "c", "1").items[0]["id"]
    commands.remove_proposal(repo, "c", "1", first, "Đã khen ở cấp trên", UNION, NOW)
    with pytest.raises(errors.Conflict):
        commands.decide(repo, "c", "1", "25/QĐ-SCT", date(2017, 7, 10), LEADER, NOW)
    commands.compile_proposals(repo, "c", "1", UNION, NOW)
    with pytest.raises(errors.Conflict):
        commands.remove_proposal(repo, "c", "1", pid, "muộn", UNION, NOW)
    commands.decide(repo, "c", "1", "25/QĐ-SCT", date(2017, 7, 10), LEADER, NOW)
    review = readers.proposal_review(repo, "c", "1")
    assert (review.state, review.decision_number) == ("decided", "25/QĐ-SCT")
    assert [(i["subject"], i["name"], i["unit"], i["amount_vnd"]) for i in review.active] == [
        ("binh", "Trần Bình", "QLTM", 390_000)]
    assert [(e["action"], e["by"], e["role"], e["reason"]) for e in review.log] == [
        ("drafted", "hệ thống", "system", ""), ("added", "cong-doan", "union", "Nhân tố điển hình"),
        ("removed", "cong-doan", "union", "Đã khen ở cấp trên"), ("compiled", "cong-doan", "union", ""),
        ("decided", "giam-doc", "leadership", "")]


def test_corrections_after_the_freeze_are_flagged_on_each_affected_proposal() -> None:
    repo = closed_phase_1()
    repo.rows["corrections"] = [{"campaign_id": "c", "phase": "1", "code": "D1", "unit": "KTAT", "officer": "an",
                                 "outcome": "late", "previous_outcome": "early", "recorded_at": NOW,
                                 "steps": [{"unit": "VP", "officer": "clerk"}]}]
    [item] = readers.proposal_review(repo, "c", "1").items
    assert item["corrections"][0]["code"] == "D1" and item["corrections"][0]["previous_outcome"] == "early"
    with repo.uow as tx:
        flags = awards.correction_flags(tx, "c", "1")
        notes = awards.correction_notes(tx, CAMPAIGN, [CAMPAIGN.phase("1")])
    assert set(flags) == {("unit", "KTAT"), ("officer", "an"), ("unit", "VP"), ("officer", "clerk")}
    assert "D1" in notes[0] and "trước hạn → quá hạn" in notes[0] and "giữ nguyên" in notes[0]


def test_removing_an_unknown_or_out_of_range_proposal_is_not_found() -> None:
    repo = closed_phase_1()
    for pid in (0, 999, 2**70):
        with pytest.raises(errors.NotFound):
            commands.remove_proposal(repo, "c", "1", pid, "không có", UNION, NOW)
