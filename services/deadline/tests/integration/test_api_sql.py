from __future__ import annotations

import pytest
from deadline_factories import accepted, at, cloud, supplement_requested

from deadline import handlers
from deadline.app import create_app
from deadline.config import Settings
from dunghan.web.auth import hash_key

pytestmark = pytest.mark.integration


def test_the_app_over_its_database_lists_due_and_overdue_and_refreshes_bands(db_url, repo, deps):
    for e in (accepted("A", at(2024, 5, 6)), accepted("B", at(2024, 5, 2)), accepted("D", at(2024, 5, 6)),
              supplement_requested("D", at(2024, 5, 7))):
        handlers.handle_event(cloud(e), repo, deps, e.occurred_at)
    settings = Settings(database_url=db_url, api_keys=f"ops:ALL:admin:{hash_key('k')}")
    client = create_app(settings, clock=lambda: at(2024, 5, 9, 10)).test_client()
    h = {"Authorization": "Bearer k"}
    assert [d["code"] for d in client.get("/api/v1/due?within=1&agency=SCT", headers=h).get_json()] == ["A"]
    assert [d["code"] for d in client.get("/api/v1/overdue?unit=P1", headers=h).get_json()] == ["B"]
    assert client.get("/api/v1/dossiers/D/clock", headers=h).get_json()["state"] == "waiting_applicant"
    assert sorted(b for _, _, b, _ in repo.band_counts(at(2024, 5, 9, 10))) == [
        "due_soon", "overdue", "waiting_applicant"]
    assert client.get("/readyz").status_code == 200


def test_open_clocks_on_postgresql_equal_the_fake(repo, deps):
    from deadline_fakes import FakeRepository

    from deadline.handlers import CalendarSource, Deps

    fake = FakeRepository()
    fake_deps = Deps(CalendarSource(deps.calendars.base, fake.notices))
    events = (accepted("A", at(2024, 5, 6)), accepted("B", at(2024, 5, 2), unit="P2"),
              supplement_requested("B", at(2024, 5, 3)))
    for r, d in ((repo, deps), (fake, fake_deps)):
        for e in events:
            handlers.handle_event(cloud(e), r, d, e.occurred_at)
    sql = sorted(repo.open_clocks(), key=lambda c: c.code)
    assert sql == sorted(fake.open_clocks(), key=lambda c: c.code)
    assert [(c.code, c.unit, c.procedure_field, c.paused, c.procedure_code) for c in sql] == [
        ("A", "P1", "thuong_mai", False, "1.001"), ("B", "P2", "thuong_mai", True, "1.001")]
