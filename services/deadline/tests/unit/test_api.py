from __future__ import annotations

from datetime import date

import pytest
from deadline_factories import accepted, at, cloud, supplement_requested
from deadline_fakes import FakeMetrics, FakeRepository

from deadline import handlers
from deadline.app import create_app
from deadline.config import Settings
from deadline.handlers import CalendarSource, Deps
from dunghan.calendar import load_calendar
from dunghan.web.auth import hash_key

BASE = load_calendar(years=range(2016, 2027))
KEYS = {"sys": "k-sys", "other": "k-other", "op": "k-op", "sct-op": "k-sct-op"}
SPEC = ";".join([f"sct:SCT:system:{hash_key('k-sys')}", f"xyz:XYZ:system:{hash_key('k-other')}",
                 f"ops:ALL:admin:{hash_key('k-op')}", f"sct-op:SCT:operator:{hash_key('k-sct-op')}"])
NOW = at(2024, 5, 9, 10)


@pytest.fixture
def repo():
    return FakeRepository()


@pytest.fixture
def client(repo):
    deps = Deps(CalendarSource(BASE, repo.notices), metrics=FakeMetrics())
    for e in (accepted("A", at(2024, 5, 6)), accepted("B", at(2024, 5, 2)), accepted("C", at(2024, 5, 6), days=10),
              accepted("D", at(2024, 5, 6)), supplement_requested("D", at(2024, 5, 7))):
        handlers.handle_event(cloud(e), repo, deps, e.occurred_at)
    app = create_app(Settings(api_keys=SPEC, migrate=False), repo=repo, deps=deps, clock=lambda: NOW)
    return app.test_client()


def auth(who):
    return {"Authorization": f"Bearer {KEYS[who]}"}


def test_clock_of_a_dossier_with_its_vietnamese_explanation(client):
    r = client.get("/api/v1/dossiers/A/clock", headers=auth("sys"))
    assert r.status_code == 200
    body = r.get_json()
    assert body["due_at"].startswith("2024-05-09T17:00:00")
    assert body["state"] == "due_soon" and body["procedure_version"] == 1
    assert body["explanation"] and any("ngày" in line for line in body["explanation"])


def test_clock_needs_a_key_and_the_dossiers_agency(client):
    assert client.get("/api/v1/dossiers/A/clock").status_code == 401
    assert client.get("/api/v1/dossiers/A/clock", headers=auth("other")).status_code == 403
    assert client.get("/api/v1/dossiers/NOPE/clock", headers=auth("sys")).status_code == 404


def test_due_within_one_working_day_and_overdue_lists(client):
    due = client.get("/api/v1/due?within=1", headers=auth("sys")).get_json()
    assert [d["code"] for d in due] == ["A"]
    overdue = client.get("/api/v1/overdue", headers=auth("sys")).get_json()
    assert [d["code"] for d in overdue] == ["B"]
    assert client.get("/api/v1/overdue?agency=SCT", headers=auth("other")).status_code == 403
    assert client.get("/api/v1/overdue", headers=auth("other")).get_json() == []


def test_calendar_year_lists_working_days_with_the_make_up_saturday(client):
    body = client.get("/api/v1/calendar/2024", headers=auth("sys")).get_json()
    assert "2024-05-04" in body["working_days"] and "2024-04-29" not in body["working_days"]
    assert any(d["date"] == "2024-04-30" for d in body["days_off"])


def test_only_operators_add_notices_and_the_calendar_version_changes(client, repo):
    notice = {"date": "2024-05-10", "kind": "off", "name": "Nghỉ bù", "reference": "TB 9/2024"}
    assert client.post("/api/v1/calendar/notices", json=notice, headers=auth("sys")).status_code == 403
    r = client.post("/api/v1/calendar/notices", json=notice, headers=auth("op"))
    assert r.status_code == 201
    assert r.get_json()["calendar_version"] != BASE.version
    assert repo.state.notices[0].date == date(2024, 5, 10)
    listed = client.get("/api/v1/calendar/notices", headers=auth("sys")).get_json()
    assert any(n["date"] == "2024-05-10" for n in listed)


def test_recompute_is_for_operators_and_reports_changed_dossiers(client):
    assert client.post("/api/v1/recompute", headers=auth("sys")).status_code == 403
    notice = {"date": "2024-05-10", "kind": "off", "name": "Nghỉ bù"}
    client.post("/api/v1/calendar/notices", json=notice, headers=auth("op"))
    r = client.post("/api/v1/recompute", headers=auth("op"))
    assert r.status_code == 200
    assert sorted(c["code"] for c in r.get_json()["changed"]) == ["C"]


def test_an_agency_operator_neither_changes_the_national_calendar_nor_reads_another_agency(client):
    notice = {"date": "2024-05-10", "kind": "off", "name": "Nghỉ bù"}
    assert client.post("/api/v1/calendar/notices", json=notice, headers=auth("sct-op")).status_code == 403
    assert client.post("/api/v1/recompute", headers=auth("sct-op")).status_code == 403
    assert client.get("/api/v1/overdue?agency=XYZ", headers=auth("sct-op")).status_code == 403
    assert client.get("/api/v1/due?within=%D9%A3", headers=auth("sct-op")).status_code == 422
