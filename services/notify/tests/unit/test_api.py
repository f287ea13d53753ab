"""The HTTP API with the in-memory repository: delivery log by dossier, preferences, auth."""
from datetime import UTC, datetime

from notify_fakes import FakeRepository

from dunghan.clock import LOCAL_TZ
from dunghan.web import hash_key
from notify.app import create_app
from notify.channels.base import FakeChannel
from notify.config import Settings
from notify.domain import NewNotification, Officer

KEYS = f"sct:SCT:system:{hash_key('k-sct')};ops:*:admin:{hash_key('k-ops')};dn:DN:system:{hash_key('k-dn')}"
NOW = datetime(2017, 3, 2, 2, 0, tzinfo=UTC)


def client(repo: FakeRepository):
    app = create_app(Settings(api_keys=KEYS), repo=repo, mailer=FakeChannel(), sms=FakeChannel())
    return app.test_client()


def seeded() -> FakeRepository:
    repo = FakeRepository()
    with repo.transaction() as tx:
        tx.upsert_officer(Officer("cb1", "SCT", "QLTM", "Trần Thị Bình", "b@example.vn"), NOW)
        tx.enqueue(NewNotification("k1", "SCT-1", "SCT", "deadline_breached", "overdue+1@2017-03-01", "cb1",
                                   "officer", "email", "b@example.vn", "s", "t", None, 1, NOW), NOW)
    return repo


def test_delivery_log_by_dossier():
    res = client(seeded()).get("/api/v1/notifications?dossier=SCT-1", headers={"Authorization": "Bearer k-sct"})
    assert res.status_code == 200
    [row] = res.get_json()["notifications"]
    assert (row["recipient"], row["channel"], row["status"], row["attempts"]) == ("cb1", "email", "queued", 0)
    assert "address" not in row


def test_delivery_log_needs_a_key_and_hides_other_agencies():
    c = client(seeded())
    assert c.get("/api/v1/notifications?dossier=SCT-1").status_code == 401
    res = c.get("/api/v1/notifications?dossier=SCT-1", headers={"Authorization": "Bearer k-dn"})
    assert res.get_json()["notifications"] == []
    assert c.get("/api/v1/notifications", headers={"Authorization": "Bearer k-sct"}).status_code == 422


def test_preferences_round_trip():
    repo = seeded()
    c = client(repo)
    auth = {"Authorization": "Bearer k-sct"}
    assert c.get("/api/v1/recipients/cb1/preferences", headers=auth).get_json() == {
        "channels": ["email", "sms"], "digest": True}
    res = c.put("/api/v1/recipients/cb1/preferences", json={"channels": ["email"], "digest": False}, headers=auth)
    assert res.status_code == 200
    assert c.get("/api/v1/recipients/cb1/preferences", headers=auth).get_json() == {
        "channels": ["email"], "digest": False}


def test_preferences_validation_and_scope():
    c = client(seeded())
    bad = c.put("/api/v1/recipients/cb1/preferences", json={"channels": ["fax"]},
                headers={"Authorization": "Bearer k-sct"})
    assert bad.status_code == 422
    missing = c.get("/api/v1/recipients/nobody/preferences", headers={"Authorization": "Bearer k-sct"})
    assert missing.status_code == 404
    assert c.get("/api/v1/recipients/cb1/preferences", headers={"Authorization": "Bearer k-dn"}).status_code == 403


def test_a_unit_heads_digest_is_viewable_for_a_day_by_its_agency_or_an_operator():

    from dunghan.contract import events as ev
    from notify.domain import OpenDossier, Unit
    from notify.handlers import Context, handle
    from notify.render import Renderer

    vn = LOCAL_TZ
    repo = seeded()
    with repo.transaction() as tx:
        tx.upsert_unit(Unit("SCT-QLTM", "SCT", "Phòng Quản lý thương mại", "cb1"), NOW)
        tx.track_dossier(OpenDossier("SCT-170301-0001", "SCT", "SCT-QLTM", "cb1",
                                     datetime(2017, 3, 1, 17, tzinfo=vn), "Cấp giấy phép", "Công ty A"), NOW)
        tx.track_dossier(OpenDossier("SCT-170301-0002", "SCT", "SCT-QLTM", "cb1",
                                     datetime(2017, 3, 3, 17, tzinfo=vn), "Cấp giấy phép", "Công ty B"), NOW)
        history = ev.DueDateSet("SCT-170301-0003", "SCT", "SCT-QLTM", "cb1", datetime(2017, 3, 1, 17, tzinfo=vn),
                                datetime(2017, 3, 1, 17, tzinfo=vn), "v", "accepted", history=True)
        handle(history, tx, Context(Renderer(None), None, NOW))  # type: ignore[arg-type]
    c = client(repo)
    res = c.get("/api/v1/digests/SCT-QLTM?on=2017-03-02", headers={"Authorization": "Bearer k-sct"})
    assert res.status_code == 200
    body = res.get_json()
    assert (body["date"], body["unit_name"]) == ("02/03/2017", "Phòng Quản lý thương mại")
    assert body["head_officer"] == "cb1"
    assert [r["code"] for r in body["overdue"]] == ["SCT-170301-0001"]
    assert [r["code"] for r in body["due_soon"]] == ["SCT-170301-0002"]
    assert "SCT-170301-0003" not in body["text"] and "SCT-170301-0001" in body["text"]
    ops = {"Authorization": "Bearer k-ops"}
    assert c.get("/api/v1/digests/SCT-QLTM?on=2017-03-02", headers=ops).status_code == 200
    assert c.get("/api/v1/digests/SCT-QLTM", headers={"Authorization": "Bearer k-dn"}).status_code == 403
    assert c.get("/api/v1/digests/SCT-QLTM").status_code == 401
    assert c.get("/api/v1/digests/NOPE", headers={"Authorization": "Bearer k-sct"}).status_code == 404
    bad = c.get("/api/v1/digests/SCT-QLTM?on=02-03-2017", headers={"Authorization": "Bearer k-sct"})
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "on"
