"""A consumer batch handled at once (``make_batch_handler``: one read-ahead, each dossier saved once, the writes
issued together) leaves the database exactly as the same messages handled one by one do."""
from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest
from deadline_factories import (
    accepted,
    apology,
    at,
    cloud,
    result_ready,
    snapshot,
    supplement_received,
    supplement_requested,
    transferred,
)
from sqlalchemy import text

from deadline.bootstrap import MIGRATIONS
from deadline.consumer import make_batch_handler, make_handler
from deadline.domain import Dossier
from deadline.handlers import CalendarSource, Deps
from deadline.repository import SqlRepository
from dunghan.bus.consumer import Delivery
from dunghan.calendar import load_calendar
from dunghan.contract import CloudEvent, encode
from dunghan.contract import events as ev
from dunghan.db import make_engine, upgrade
from dunghan.deadline import ClockEvent
from dunghan.testing.batches import delivery as deliver
from dunghan.testing.batches import in_batches, one_by_one, tables

pytestmark = pytest.mark.integration
BASE = load_calendar(years=range(2023, 2026))
NOW = at(2024, 5, 20)


def delivery(ce: CloudEvent) -> Delivery:
    return deliver(encode(ce), message_id=ce.id)


def batches() -> list[list[CloudEvent]]:
    a, b, c, d = (f"SCT-240506-000{i}" for i in range(1, 5))
    acc_b = cloud(dataclasses.replace(accepted(b, at(2024, 5, 6, 10)), appointment_at=at(2024, 5, 20, 17)))
    procedure = cloud(ev.ProcedureUpdated(procedure=snapshot(3), agency="SCT", effective_from=date(2024, 1, 1)))
    first = [cloud(accepted(a, at(2024, 5, 6))), procedure, acc_b, procedure,
             cloud(supplement_requested(a, at(2024, 5, 7))),
             cloud(supplement_received(a, at(2024, 5, 9))), acc_b, cloud(accepted(c, at(2024, 5, 6, 11))),
             cloud(accepted(d, at(2024, 5, 2), days=1))]
    second = [cloud(transferred(b, at(2024, 5, 7), "P2", "cb2")), cloud(result_ready(a, at(2024, 5, 14))),
              cloud(apology(c, at(2024, 5, 8), date(2024, 5, 17))), acc_b, cloud(result_ready(b, at(2024, 5, 8))),
              cloud(result_ready(c, at(2024, 5, 16))), cloud(supplement_requested(c, at(2024, 5, 7)))]
    return [first, second]


def state(repo: SqlRepository) -> dict[str, Any]:
    return tables(repo.engine, {
        "dossiers": "SELECT * FROM dossiers ORDER BY code",
        "events": "SELECT code, event_id, kind, at, unit, officer, new_due_date FROM dossier_events "
                  "ORDER BY code, at, id",
        "thresholds": "SELECT code, threshold, emitted FROM thresholds ORDER BY code, threshold",
        "inbox": "SELECT source, event_id FROM inbox ORDER BY source, event_id",
        "outbox": "SELECT routing_key, headers->>'ce-subject' FROM outbox ORDER BY id",
        "procedures": "SELECT code, version, agency, effective_from, procedure FROM procedure_versions",
    })


@pytest.fixture
def two_repos(make_database):
    repos = []
    for hint in ("deadline_one", "deadline_batch"):
        url = make_database(hint)
        upgrade(url, MIGRATIONS)
        repos.append(SqlRepository(make_engine(url)))
    yield repos
    for r in repos:
        r.engine.dispose()


def test_a_batch_writes_what_one_by_one_writes(two_repos):
    one, many = two_repos
    groups = [[delivery(ce) for ce in group] for group in batches()]
    single = make_handler(one, Deps(CalendarSource(BASE, one.notices)), clock=lambda: NOW)
    outcomes_one = one_by_one(single, groups)
    handle_many = make_batch_handler(many, Deps(CalendarSource(BASE, many.notices)), clock=lambda: NOW)
    outcomes_many = in_batches(many.uow, handle_many, groups)
    assert outcomes_many == outcomes_one
    assert outcomes_one.count("duplicate") == 3
    assert any(r[0].startswith("deadline.appointment_mismatch.v1.") for r in state(one)["outbox"])
    assert len(state(one)["procedures"]) == 1
    got, want = state(many), state(one)
    assert want["outbox"] and any(r[0] == "deadline.dossier_classified.v1.SCT" for r in want["outbox"])
    for key in want:
        for g, w in zip(got[key], want[key], strict=True):
            assert g == w, key


def test_a_dossier_written_meanwhile_by_another_transaction_is_read_not_overwritten(two_repos):
    repo = two_repos[0]
    deps = Deps(CalendarSource(BASE, repo.notices))
    code = "SCT-240506-0009"
    make_handler(repo, deps, clock=lambda: NOW)(delivery(cloud(accepted(code, at(2024, 5, 6)))))
    handle_many = make_batch_handler(repo, deps, clock=lambda: NOW)
    with repo.uow:
        assert handle_many([delivery(cloud(result_ready(code, at(2024, 5, 7))))]) == ["ok"]
    with repo.engine.connect() as conn:
        row = conn.execute(text("SELECT state, classification->>'outcome' FROM dossiers WHERE code = :c"),
                           {"c": code}).one()
    assert row[1] == "early"


def test_inside_a_read_ahead_every_answer_is_the_databases(two_repos):
    repo = two_repos[0]
    code, new = "SCT-240506-0010", "SCT-240506-0011"
    with repo.uow as tx:
        tx.save(Dossier(code=code, agency="SCT", unit="P1"), NOW)
        tx.add_event(code, ClockEvent("accepted", at(2024, 5, 6), event_id="e1"), NOW)
    with repo.uow as tx, tx.reading_ahead([("intake", "e1"), ("intake", "e1")], {code: "SCT", new: "SCT"}, NOW):
        assert tx.inbox_accept("intake", "e1") is True
        assert tx.inbox_accept("intake", "e1") is False  # asked again: the database answers
        assert tx.dossier(code) == Dossier(code=code, agency="SCT", unit="P1") and tx.dossier(new) is None
        assert [e.event_id for e in tx.events(code)] == ["e1"] and tx.events(new) == [] == list(tx.fired(new))
        tx.create(new, "SCT", NOW)
        tx.save(Dossier(code=code, agency="SCT", unit="P2"), NOW)
        tx.add_event(code, ClockEvent("transferred", at(2024, 5, 7), unit="P2", event_id="e2"), NOW)
        assert tx.dossier(code) == Dossier(code=code, agency="SCT", unit="P2")  # written: read after the write
        assert [e.event_id for e in tx.events(code)] == ["e1", "e2"]
    with repo.uow as tx:
        assert tx.dossier(new) == Dossier(code=new, agency="SCT")
