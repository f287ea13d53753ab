"""The HTTP API with the in-memory repository: delivery log by dossier, preferences, auth."""
from datetime import UTC, datetime

from dunghan.web import hash_key
from notify.app import create_app
from notify.channels.base import FakeChannel
from notify.config import Settings
from notify.domain import NewNotification, Officer
from notify.fakes import FakeRepository

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
