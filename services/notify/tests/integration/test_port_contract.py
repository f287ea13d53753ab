"""The storage port's contract: every method answers the same on the fake and on PostgreSQL (inserted or not,
ordering, time zones, NULLs). A fake is a claim about the real thing; this suite holds it to it."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from notify_fakes import FakeRepository

from dunghan.testing.database import port_suite
from notify.bootstrap import MIGRATIONS
from notify.domain import NewNotification, Officer, OpenDossier, Pending, Preferences, Unit
from notify.repository import SqlRepository

pytestmark = pytest.mark.integration

ICT = timezone(timedelta(hours=7))
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=ICT)


engine, repo = port_suite("notify_contract", MIGRATIONS, FakeRepository, SqlRepository)


def note(key: str, *, at: datetime = NOW, html: str | None = None, channel: str = "email") -> NewNotification:
    return NewNotification(key, "000.00.01.H01-260302-0001", "SCT", "due_soon", "1d", "cb1", "handler", channel,
                           "binh@example.vn", "Sắp đến hạn", "Nội dung", html, 1, at)


def test_inbox_accepts_an_event_once(repo):
    with repo.transaction() as tx:
        assert tx.inbox_accept("deadline", "e1") is True
        assert tx.inbox_accept("deadline", "e1") is False
        assert tx.inbox_accept("scoring", "e1") is True


def test_directory_upserts_and_reads_back_with_nulls(repo):
    with repo.transaction() as tx:
        tx.upsert_unit(Unit("QLTM", "SCT", "Phòng Quản lý thương mại"), NOW)
        tx.upsert_unit(Unit("KTAT", "SCT", "Phòng Kỹ thuật an toàn", "cb2", "cd1"), NOW)
        tx.upsert_officer(Officer("cb1", "SCT", "QLTM", "Trần Thị Bình", None, "0912345678", True, ("sms",)), NOW)
        tx.upsert_officer(Officer("cb1", "SCT", "KTAT", "Trần Thị Bình", "b@example.vn", None, False), NOW)
        tx.set_preferences("cb1", Preferences(("email",), False), NOW)
    with repo.transaction() as tx:
        assert tx.unit("QLTM") == Unit("QLTM", "SCT", "Phòng Quản lý thương mại", None, None)
        assert [u.unit for u in tx.units()] == ["KTAT", "QLTM"]
        assert tx.unit("nope") is None and tx.officer("nope") is None and tx.preferences("nope") is None
        assert tx.officer("cb1") == Officer("cb1", "SCT", "KTAT", "Trần Thị Bình", "b@example.vn", None, False)
        assert tx.preferences("cb1") == Preferences(("email",), False)


def test_enqueue_answers_whether_it_inserted(repo):
    with repo.transaction() as tx:
        assert tx.enqueue(note("k1"), NOW) is True
        assert tx.enqueue(note("k1"), NOW) is False
        assert tx.enqueue(note("k2"), NOW) is True
    with repo.transaction() as tx:
        assert tx.enqueue(note("k2"), NOW) is False


def test_claim_digest_answers_whether_it_claimed(repo):
    with repo.transaction() as tx:
        assert tx.claim_digest("cb2", date(2026, 3, 2), NOW) is True
        assert tx.claim_digest("cb2", date(2026, 3, 2), NOW) is False
        assert tx.claim_digest("cb2", date(2026, 3, 3), NOW) is True
        assert tx.claim_digest("cb1", date(2026, 3, 2), NOW) is True


def test_open_dossiers_by_due_date_keep_known_names_and_forget_closed_ones(repo):
    due = NOW + timedelta(days=3)
    with repo.transaction() as tx:
        tx.track_dossier(OpenDossier("D2", "SCT", "QLTM", "cb1", due, "Cấp phép", "Nguyễn Văn A"), NOW)
        tx.track_dossier(OpenDossier("D1", "SCT", "QLTM", "cb1", due - timedelta(days=1)), NOW)
        tx.track_dossier(OpenDossier("D2", "SCT", "QLTM", "cb3", due, "", ""), NOW)
        tx.track_dossier(OpenDossier("D3", "SCT", "KTAT", "cb1", due), NOW)
        tx.close_dossier("D4", NOW)
        tx.track_dossier(OpenDossier("D4", "SCT", "QLTM", "cb1", due), NOW)
        tx.track_dossier(OpenDossier("D5", "SCT", "QLTM", "cb1", due + timedelta(days=1)), NOW)
        tx.close_dossier("D5", NOW)
    with repo.transaction() as tx:
        found = tx.open_dossiers("QLTM")
    assert [d.code for d in found] == ["D1", "D2"]
    assert found[1] == OpenDossier("D2", "SCT", "QLTM", "cb3", due, "Cấp phép", "Nguyễn Văn A")
    assert found[0].procedure_name == "" and found[0].applicant_name == ""
    assert found[0].due_at == due - timedelta(days=1) and found[0].due_at.utcoffset() is not None


def _queue(repo, *notes: NewNotification) -> None:
    with repo.transaction() as tx:
        for n in notes:
            tx.enqueue(n, NOW)


def test_claim_due_takes_due_rows_oldest_first_and_leases_them(repo):
    _queue(repo, note("late", at=NOW), note("early", at=NOW - timedelta(hours=1), html="<p>x</p>"),
           note("future", at=NOW + timedelta(hours=1)))
    claimed = repo.claim_due(NOW, 10, 60)
    assert [(c.id, c.attempts, c.html) for c in claimed] == [(1, 1, None), (2, 1, "<p>x</p>")]
    assert repo.claim_due(NOW + timedelta(seconds=59), 10, 60) == []
    again = repo.claim_due(NOW + timedelta(seconds=61), 1, 60)  # a lease run out: claimable, oldest due first
    assert [(c.id, c.attempts) for c in again] == [(2, 2)]


def test_renew_and_release_answer_with_the_claims_still_held(repo):
    _queue(repo, note("a"), note("b"), note("c"))
    assert [c.id for c in repo.claim_due(NOW, 3, 60)] == [1, 2, 3]
    repo.mark_sent(1, "mid-1", NOW)
    assert repo.renew_claims([1, 2, 3], NOW + timedelta(seconds=30), 60) == {2, 3}
    assert repo.claim_due(NOW + timedelta(seconds=61), 10, 60) == []  # renewed: still held
    assert repo.release_claims([1, 2], NOW) == {2}
    claimed = repo.claim_due(NOW, 10, 60)
    assert [(c.id, c.attempts) for c in claimed] == [(2, 1)]  # released: due at once, the attempt not counted


def test_outcomes_only_apply_to_a_row_being_sent_and_show_in_the_log(repo):
    _queue(repo, note("a"), note("b"), note("c"))
    repo.claim_due(NOW, 3, 60)
    repo.mark_sent(1, "", NOW)
    repo.mark_retry(2, "timeout", NOW + timedelta(minutes=5), NOW)
    repo.mark_failed(3, "bad address", NOW)
    repo.mark_failed(1, "late", NOW)  # already sent: left as it is
    log = {r["id"]: r for r in repo.delivery_log("000.00.01.H01-260302-0001")}
    assert [log[i]["status"] for i in (1, 2, 3)] == ["sent", "queued", "failed"]
    assert log[1]["provider_id"] is None and log[1]["last_error"] is None and log[1]["sent_at"] == NOW
    assert log[2]["next_attempt_at"] == NOW + timedelta(minutes=5) and log[2]["last_error"] == "timeout"
    assert log[3]["dead_lettered_at"] == NOW and log[3]["sent_at"] is None
    assert all(r["created_at"].utcoffset() is not None for r in log.values())
    assert repo.delivery_log("nothing") == []
    assert repo.pending(NOW + timedelta(seconds=10)) == {"email": Pending(1, 10.0, 0, 0.0)}  # retry not yet due
    assert repo.pending(NOW + timedelta(minutes=6)) == {"email": Pending(1, 360.0, 1, 60.0)}
