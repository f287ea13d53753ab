"""The due-date preview for the desk, and the receipt whose appointment is not the computed due instant."""
from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

import pytest
from deadline_factories import AGENCY, accepted, at, cloud, snapshot
from deadline_fakes import FakeMetrics, FakeRepository

from deadline import handlers
from deadline.app import create_app
from deadline.config import Settings
from deadline.handlers import CalendarSource, Deps
from dunghan.calendar import load_calendar
from dunghan.contract import events as ev
from dunghan.web.auth import hash_key

BASE = load_calendar(years=range(2016, 2027))
SPEC = ";".join([f"sct:SCT:system:{hash_key('k-sys')}", f"xyz:XYZ:system:{hash_key('k-other')}"])
SYS, OTHER = {"Authorization": "Bearer k-sys"}, {"Authorization": "Bearer k-other"}


def version(days: float = 3, v: int = 1, start: date = date(2016, 1, 1), end: date | None = None,
            unit: str = "working_days", **kw) -> ev.ProcedureUpdated:
    proc = dataclasses.replace(snapshot(days, v), committed_unit=unit)  # type: ignore[arg-type]
    return ev.ProcedureUpdated(procedure=proc, agency=AGENCY, effective_from=start, effective_to=end,
                               channels=(1, 2), **kw)


@pytest.fixture
def repo():
    return FakeRepository()


@pytest.fixture
def deps(repo):
    return Deps(CalendarSource(BASE, repo.notices), metrics=FakeMetrics())


@pytest.fixture
def client(repo, deps):
    for e in (version(3, 1, end=date(2017, 3, 1)), version(5, 2, start=date(2017, 3, 1))):
        assert handlers.handle_event(cloud(e), repo, deps, at(2017, 1, 1)) == "ok"
    app = create_app(Settings(api_keys=SPEC, migrate=False), repo=repo, deps=deps, clock=lambda: at(2017, 1, 20))
    return app.test_client()


def preview(client, accepted_at: datetime, headers=SYS, **extra):
    query = {"procedure": "1.001", "accepted_at": accepted_at.isoformat(), **extra}
    return client.get("/api/v1/due-date", query_string=query, headers=headers)


def test_preview_over_tet_answers_the_due_instant_the_receipt_line_and_the_calendar_version(client):
    r = preview(client, at(2017, 1, 25, 10))  # DOMAIN.md: Wed 25/1/2017 + 3 working days → Mon 6/2/2017
    assert r.status_code == 200
    body = r.get_json()
    assert body["due_at"].startswith("2017-02-06T17:00:00") and body["due_date"] == "2017-02-06"
    assert body["procedure_version"] == 1 and body["calendar_version"] == BASE.version
    assert body["receipt_text"] == "Hẹn trả kết quả: 17:00 thứ Hai 06/02/2017."
    assert any("Tết" in line or "ngày lễ" in line for line in body["explanation"])
    assert not any(line.startswith("Trạng thái") for line in body["explanation"])


def test_preview_uses_the_version_in_force_on_the_acceptance_date(client):
    body = preview(client, at(2017, 3, 6, 9)).get_json()
    assert body["procedure_version"] == 2 and body["due_at"].startswith("2017-03-13T17:00:00")


def test_after_the_cutoff_the_count_starts_a_day_later(client):
    body = preview(client, at(2017, 3, 6, 17, 30)).get_json()
    assert body["effective_acceptance_date"] == "2017-03-07" and body["due_at"].startswith("2017-03-14T17:00")


@pytest.mark.parametrize("accepted_at", [at(2017, 1, 25, 10), at(2017, 1, 25, 17, 5), at(2017, 4, 28, 16),
                                         at(2017, 3, 4, 9), at(2017, 2, 28, 23)])
def test_preview_equals_the_due_instant_the_clock_computes_after_acceptance(client, repo, deps, accepted_at):
    body = preview(client, accepted_at).get_json()
    version_in_force = repo.procedure_on("1.001", accepted_at.date())
    e = dataclasses.replace(accepted("SCT-170125-0001", accepted_at), procedure=version_in_force.procedure)
    handlers.handle_event(cloud(e), repo, deps, accepted_at + timedelta(minutes=1))
    [due] = [p for p in repo.published if isinstance(p, ev.DueDateSet)]
    assert datetime.fromisoformat(body["due_at"]) == due.due_at
    clock = handlers.explain(repo, deps, "SCT-170125-0001", accepted_at + timedelta(hours=1))
    assert clock is not None and clock[1].due_at == due.due_at


def test_preview_errors_name_the_field(client):
    assert preview(client, at(2017, 1, 25), procedure="NOPE").status_code == 422
    assert preview(client, at(2015, 1, 5)).get_json()["error"]["field"] == "procedure"  # not yet in force
    assert preview(client, at(2017, 1, 25), channel=3).get_json()["error"]["field"] == "channel"
    assert preview(client, at(2017, 1, 25), headers=OTHER).status_code == 422  # another agency's procedure
    r = client.get("/api/v1/due-date?procedure=1.001&accepted_at=2017-01-25T10:00:00", headers=SYS)
    assert r.status_code == 422  # no time zone
    assert client.get("/api/v1/due-date?procedure=1.001&accepted_at=2017-01-25T10:00:00+07:00").status_code == 401


def test_an_abolished_version_cannot_be_previewed(repo, deps):
    handlers.handle_event(cloud(version(3, 1)), repo, deps, at(2017, 1, 1))
    handlers.handle_event(cloud(version(3, 2, start=date(2017, 6, 1), abolished=True)), repo, deps, at(2017, 1, 1))
    assert handlers.due_date_preview(repo, deps, "1.001", at(2017, 5, 31)) is not None
    assert handlers.due_date_preview(repo, deps, "1.001", at(2017, 6, 1)) is None


def test_a_receipt_with_another_appointment_is_flagged_and_announced_once(repo, deps):
    e = dataclasses.replace(accepted("SCT-170306-0001", at(2017, 3, 6, 10)), appointment_at=at(2017, 3, 10, 17))
    ce = cloud(e)
    handlers.handle_event(ce, repo, deps, at(2017, 3, 6, 10, 1))
    handlers.handle_event(ce, repo, deps, at(2017, 3, 6, 10, 2))  # redelivered
    [m] = [p for p in repo.published if isinstance(p, ev.AppointmentMismatch)]
    assert m.due_at == at(2017, 3, 9, 17) and m.appointment_at == at(2017, 3, 10, 17)
    assert m.working_hours_diff == 8.0 and m.calendar_version == BASE.version
    d = repo.state.dossiers["SCT-170306-0001"]
    assert d.appointment_mismatch and d.appointment_at == at(2017, 3, 10, 17)


@pytest.mark.parametrize("appointment", [at(2017, 3, 9, 17), at(2017, 3, 9, 0, 0)])
def test_a_receipt_with_the_computed_date_is_not_flagged(repo, deps, appointment):
    e = dataclasses.replace(accepted("SCT-170306-0002", at(2017, 3, 6, 10)), appointment_at=appointment)
    handlers.handle_event(cloud(e), repo, deps, at(2017, 3, 6, 10, 1))
    assert not [p for p in repo.published if isinstance(p, ev.AppointmentMismatch)]
    assert not repo.state.dossiers["SCT-170306-0002"].appointment_mismatch


def test_a_date_only_appointment_on_another_day_is_flagged(repo, deps):
    e = dataclasses.replace(accepted("SCT-170306-0003", at(2017, 3, 6, 10)), appointment_at=at(2017, 3, 8, 0, 0))
    handlers.handle_event(cloud(e), repo, deps, at(2017, 3, 6, 10, 1))
    [m] = [p for p in repo.published if isinstance(p, ev.AppointmentMismatch)]
    assert m.working_hours_diff < 0


def test_the_office_lists_its_receipts_with_wrong_dates(client, repo, deps):
    right = dataclasses.replace(accepted("SCT-170306-0011", at(2017, 3, 6, 10)), appointment_at=at(2017, 3, 9, 17))
    wrong = dataclasses.replace(accepted("SCT-170306-0012", at(2017, 3, 6, 10)), appointment_at=at(2017, 3, 8, 17))
    for e in (right, wrong):
        handlers.handle_event(cloud(e), repo, deps, at(2017, 3, 6, 10, 1))
    listed = client.get("/api/v1/appointment-mismatches", headers=SYS).get_json()
    assert [(d["code"], d["appointment_mismatch"]) for d in listed] == [("SCT-170306-0012", True)]
    assert listed[0]["appointment_at"].startswith("2017-03-08T17:00") and listed[0]["due_at"]
    assert client.get("/api/v1/appointment-mismatches", headers=OTHER).get_json() == []
    assert client.get("/api/v1/appointment-mismatches?agency=SCT", headers=OTHER).status_code == 403
    clock = client.get("/api/v1/dossiers/SCT-170306-0012/clock", headers=SYS).get_json()
    assert clock["appointment_mismatch"] is True


def test_an_appointment_beyond_the_calendar_is_flagged_without_a_difference(repo, deps):
    e = dataclasses.replace(accepted("SCT-170306-0031", at(2017, 3, 6, 10)), appointment_at=at(2099, 1, 1, 17))
    assert handlers.handle_event(cloud(e), repo, deps, at(2017, 3, 6, 10, 1)) == "ok"
    [m] = [p for p in repo.published if isinstance(p, ev.AppointmentMismatch)]
    assert m.working_hours_diff is None and repo.state.dossiers["SCT-170306-0031"].due_at == at(2017, 3, 9, 17)


def test_a_preview_beyond_the_calendar_names_accepted_at(client):
    r = preview(client, at(2099, 1, 5, 9))
    assert r.status_code == 422 and r.get_json()["error"]["field"] == "accepted_at"


@pytest.mark.parametrize("instant", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"])
def test_a_preview_at_the_ends_of_time_is_a_422(client, instant):
    r = client.get("/api/v1/due-date", query_string={"procedure": "1.001", "accepted_at": instant}, headers=SYS)
    assert r.status_code == 422 and r.get_json()["error"]["field"] == "accepted_at"
