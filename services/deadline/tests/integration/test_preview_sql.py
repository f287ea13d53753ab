"""The procedure store behind the due-date preview, and the appointment flag, on PostgreSQL and on the fake."""
from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from deadline_factories import AGENCY, accepted, at, cloud, snapshot
from deadline_fakes import FakeRepository

from deadline import handlers
from deadline.handlers import CalendarSource, Deps
from dunghan.contract import events as ev
from dunghan.db import upgrade

pytestmark = pytest.mark.integration


def version(days: float, v: int, start: date, end: date | None = None, abolished: bool = False):
    return ev.ProcedureUpdated(procedure=snapshot(days, v), agency=AGENCY, effective_from=start, effective_to=end,
                               abolished=abolished, channels=(1, 3))


@pytest.fixture(params=["postgres", "fake"])
def store(request):
    if request.param == "fake":
        repo = FakeRepository()
        return repo, Deps(CalendarSource(request.getfixturevalue("deps").calendars.base, repo.notices))
    return request.getfixturevalue("repo"), request.getfixturevalue("deps")


def test_procedure_versions_are_stored_once_and_found_by_the_day_in_force(store):
    repo, deps = store
    first, closed = version(3, 1, date(2016, 1, 1)), version(3, 1, date(2016, 1, 1), date(2017, 3, 1))
    for e in (first, closed, version(5, 2, date(2017, 3, 1)), version(5, 3, date(2018, 1, 1), abolished=True)):
        assert handlers.handle_event(cloud(e), repo, deps, at(2017, 1, 1)) == "ok"
    ce = cloud(closed)
    assert handlers.handle_event(ce, repo, deps, at(2017, 1, 1)) == "ok"
    assert handlers.handle_event(ce, repo, deps, at(2017, 1, 1)) == "duplicate"
    assert repo.procedure_on("1.001", date(2017, 2, 28)) == closed  # the later announcement wins
    found = repo.procedure_on("1.001", date(2017, 3, 1))
    assert found is not None and found.procedure.version == 2 and found.channels == (1, 3)
    assert repo.procedure_on("1.001", date(2018, 1, 1)) is None
    assert repo.procedure_on("1.001", date(2015, 12, 31)) is None
    assert repo.procedure_on("9.999", date(2017, 3, 1)) is None


def test_the_preview_is_the_due_instant_the_stored_clock_gets(store):
    repo, deps = store
    handlers.handle_event(cloud(version(3, 1, date(2016, 1, 1))), repo, deps, at(2017, 1, 1))
    accepted_at = at(2017, 1, 25, 16, 59)
    found = handlers.due_date_preview(repo, deps, "1.001", accepted_at, AGENCY)
    assert found is not None
    e = dataclasses.replace(accepted("SCT-170125-0009", accepted_at), appointment_at=at(2017, 2, 7, 17))
    handlers.handle_event(cloud(e), repo, deps, accepted_at + timedelta(minutes=1))
    with repo.uow as tx:
        d = tx.dossier("SCT-170125-0009", lock=False)
    assert d is not None and d.due_at == found[1].due_at == at(2017, 2, 6, 17)
    assert d.appointment_mismatch and d.appointment_at == at(2017, 2, 7, 17)


def test_migrations_add_the_columns_to_a_database_made_before_them(make_database):
    from deadline.bootstrap import MIGRATIONS

    url = make_database("deadline_old")
    upgrade(url, MIGRATIONS)  # 0001 then 0002 on an empty database
    upgrade(url, MIGRATIONS)  # idempotent


def test_flagged_dossiers_are_listed_by_agency_and_unit(store):
    repo, deps = store
    wrong = dataclasses.replace(accepted("SCT-170306-0021", at(2017, 3, 6, 10), unit="P2"),
                                appointment_at=at(2017, 3, 8, 17))
    right = dataclasses.replace(accepted("SCT-170306-0022", at(2017, 3, 6, 10)), appointment_at=at(2017, 3, 9, 17))
    for e in (wrong, right):
        handlers.handle_event(cloud(e), repo, deps, at(2017, 3, 6, 10, 1))
    assert [d.code for d in repo.appointment_mismatches(agency=AGENCY)] == ["SCT-170306-0021"]
    assert [d.code for d in repo.appointment_mismatches(agency=AGENCY, unit="P2")] == ["SCT-170306-0021"]
    assert repo.appointment_mismatches(agency=AGENCY, unit="P1") == []
    assert repo.appointment_mismatches(agency="XYZ") == []
