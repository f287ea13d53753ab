"""Recording facts against the in-memory registry: store, history, outbox, buffering, idempotency."""
from __future__ import annotations

from datetime import timedelta

import pytest
from intake_fakes import InMemoryRepository

from dunghan.contract.envelope import decode, encode
from intake.domain import InboundError, canonical_event_id
from intake.handlers import Sender, digest_of, record_fact, reject_orphans
from intake.inbound import load_fact
from intake.records import PendingFact

from ..conftest import T0, make_fact, seed  # type: ignore[import-not-found]

SCT = Sender("motcua-sct", "SCT")


@pytest.fixture
def repo():
    r = InMemoryRepository()
    seed(r)
    return r


def send(repo, raw, sender=SCT, now=None):
    return record_fact(repo.facts, load_fact(raw), sender, now=now or T0 + timedelta(minutes=1), pepper="p",
                       digest=digest_of(raw))


def test_acceptance_stores_the_dossier_history_and_a_canonical_event_with_the_procedure_snapshot(repo):
    raw = make_fact("dossier.accepted")
    out = send(repo, raw)
    assert out.reply["status"] == "accepted" and out.reply["dossier_status"] == 2
    d = repo.state.dossiers["SCT-170306-0001"]
    assert (d.status, d.unit, d.officer, d.procedure_version) == (2, "SCT-QLTM", "SCT-CB02", 1)
    assert d.id_number_hash and d.id_number_hash != "079123456789"
    [ce] = repo.published
    assert ce.id == canonical_event_id("SCT", raw["event_id"])
    assert ce.type == "vn.dunghan.intake.dossier_accepted.v1"
    assert ce.data["procedure"]["committed_value"] == 10
    assert [s["name"] for s in ce.data["procedure"]["steps"]] == ["tiếp nhận", "thẩm định"]
    body = encode(ce).decode()
    assert "079123456789" not in body and "0912345678" not in body
    assert decode(encode(ce)).event().applicant_name == "Công ty TNHH Biển Xanh"  # type: ignore[attr-defined]
    [h] = repo.state.history
    assert h.fact == "dossier.accepted" and "id_number" not in str(h.details)


def test_same_event_twice_changes_nothing_and_answers_the_same(repo):
    raw = make_fact("dossier.accepted")
    first = send(repo, raw)
    second = send(repo, raw)
    assert second.duplicate and second.reply == first.reply
    assert len(repo.published) == 1 and len(repo.state.history) == 1


def test_same_event_id_with_other_content_is_a_conflict(repo):
    raw = make_fact("dossier.accepted")
    send(repo, raw)
    with pytest.raises(InboundError) as err:
        send(repo, {**raw, "officer": "SCT-CB01"})
    assert (err.value.kind, err.value.field) == ("conflict", "event_id")


def test_forged_agency_is_rejected(repo):
    with pytest.raises(InboundError) as err:
        send(repo, make_fact("dossier.accepted"), sender=Sender("motcua-stp", "STP"))
    assert err.value.kind == "forged"


def test_unknown_procedure_is_rejected_on_procedure_code(repo):
    with pytest.raises(InboundError) as err:
        send(repo, make_fact("dossier.accepted", procedure_code="SCT-XX-99"))
    assert (err.value.kind, err.value.field) == ("unknown_procedure", "procedure_code")
    assert repo.state.dossiers == {} and repo.published == []


def test_procedure_of_another_agency_is_rejected(repo):
    with pytest.raises(InboundError) as err:
        send(repo, make_fact("dossier.accepted", procedure_code="STP-01"))
    assert err.value.kind == "unknown_procedure"


def test_unknown_unit_is_rejected_on_unit(repo):
    with pytest.raises(InboundError) as err:
        send(repo, make_fact("dossier.accepted", unit="SCT-NOPE"))
    assert err.value.field == "unit"


def test_second_acceptance_is_a_lifecycle_rejection_and_stores_nothing(repo):
    send(repo, make_fact("dossier.accepted"))
    with pytest.raises(InboundError) as err:
        send(repo, make_fact("dossier.accepted"))
    assert err.value.kind == "lifecycle"
    assert len(repo.published) == 1


def test_events_before_acceptance_are_buffered_then_applied_in_occurrence_order(repo):
    ready = make_fact("result.ready", at=T0 + timedelta(days=3))
    moved = make_fact("dossier.transferred", at=T0 + timedelta(days=1))
    assert send(repo, ready).reply["status"] == "buffered"
    assert send(repo, moved).reply["status"] == "buffered"
    assert repo.published == []
    send(repo, make_fact("dossier.accepted"))
    assert [ce.type.split(".")[3] for ce in repo.published] == [
        "dossier_accepted", "dossier_transferred", "result_ready"]
    assert repo.state.dossiers["SCT-170306-0001"].status == 9
    assert repo.state.pending == {}
    again = send(repo, ready)  # a replay is a duplicate and answers the fact's fate now
    assert again.duplicate and again.reply["status"] == "accepted"
    assert {r.state for r in repo.state.received.values()} == {"applied"}
    assert repo.state.locked.count("SCT-170306-0001") == 4


def test_an_orphan_whose_dossier_fits_by_now_is_applied_not_rejected(repo):
    send(repo, make_fact("dossier.accepted"))
    raw = make_fact("result.ready", at=T0 + timedelta(days=3))
    with repo.transaction() as tx:  # stranded in the buffer (as an earlier release could leave it)
        tx.add_pending(PendingFact(agency="SCT", event_id=raw["event_id"], code=raw["code"], fact=raw["fact"],
                                   occurred_at=T0 + timedelta(days=3), body=raw, source="sct", received_at=T0))
    assert reject_orphans(repo, now=T0 + timedelta(minutes=20), window_seconds=600) == []
    assert repo.state.dossiers["SCT-170306-0001"].status == 9 and repo.state.pending == {}
    assert repo.state.received[("SCT", raw["event_id"])].state == "applied"


def test_orphans_are_rejected_after_the_window(repo):
    send(repo, make_fact("result.ready", code="SCT-170306-0099"))
    assert reject_orphans(repo, now=T0 + timedelta(minutes=5), window_seconds=600) == []
    [orphan] = reject_orphans(repo, now=T0 + timedelta(minutes=20), window_seconds=600)
    assert orphan.error.field == "code" and orphan.pending.code == "SCT-170306-0099"
    assert repo.state.pending == {}
    [fate] = repo.state.received.values()
    assert (fate.state, fate.reply["reason"]) == ("rejected", "unknown_dossier")
    resent = send(repo, make_fact("result.ready", code="SCT-170306-0099"))  # a rejected fact may be sent again
    assert resent.reply["status"] == "buffered" and not resent.duplicate


def test_full_lifecycle_publishes_one_event_per_fact(repo):
    facts = [
        make_fact("dossier.accepted"),
        make_fact("dossier.transferred", at=T0 + timedelta(hours=2)),
        make_fact("supplement.requested", at=T0 + timedelta(days=1)),
        make_fact("supplement.received", at=T0 + timedelta(days=3)),
        make_fact("fee.requested", at=T0 + timedelta(days=4), amount_vnd=1_200_000),
        make_fact("fee.paid", at=T0 + timedelta(days=4, hours=3)),
        make_fact("apology.issued", at=T0 + timedelta(days=5)),
        make_fact("result.ready", at=T0 + timedelta(days=8)),
        make_fact("result.returned", at=T0 + timedelta(days=9)),
    ]
    for raw in facts:
        send(repo, raw)
    d = repo.state.dossiers["SCT-170306-0001"]
    assert (d.status, d.supplement_count, d.apology_count, d.decision) == (10, 1, 1, "approved")
    assert len(repo.published) == len(facts) == len(repo.state.history)
    assert [h.seq for h in repo.state.history] == list(range(1, 10))
    with pytest.raises(InboundError):
        send(repo, make_fact("dossier.withdrawn", at=T0 + timedelta(days=10)))
