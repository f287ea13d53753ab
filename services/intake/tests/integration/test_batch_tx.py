"""A consumer batch recorded at once (``InboundHandler.handle_many``: one read ahead, writes issued together)
leaves the database exactly as the same messages recorded one by one do, buffered out-of-order facts and duplicates
included."""
from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from dunghan.bus.consumer import Delivery
from dunghan.db import make_engine, upgrade
from dunghan.testing.batches import delivery as deliver
from dunghan.testing.batches import in_batches, one_by_one, tables
from intake.bootstrap import MIGRATIONS
from intake.consumer import InboundHandler
from intake.records import SourceSystem
from intake.repository import SqlRepository

from ..conftest import T0, make_fact, seed  # type: ignore[import-not-found]

pytestmark = pytest.mark.integration
NOW = T0 + timedelta(days=30)


class NoReplies:
    def reply(self, reply_to: str, body: dict[str, Any], correlation_id: str | None) -> None: ...
    def quarantine(self, body: bytes, headers: dict[str, Any], message_id: str | None) -> None: ...


def delivery(fact: dict[str, Any]) -> Delivery:
    return deliver(json.dumps(fact).encode(), routing_key=f"{fact['agency']}.{fact['fact']}", user_id="guest",
                   message_id=fact["event_id"])


def groups() -> list[list[dict[str, Any]]]:
    a, b, c = "SCT-170306-0001", "SCT-170306-0002", "SCT-170306-0003"
    acc_a = make_fact("dossier.accepted", a, T0)
    early_c = make_fact("supplement.requested", c, T0 + timedelta(hours=3))  # before its dossier: buffered
    first = [acc_a, make_fact("dossier.accepted", b, T0 + timedelta(minutes=5)),
             make_fact("supplement.requested", a, T0 + timedelta(hours=1)), acc_a, early_c,
             make_fact("supplement.received", a, T0 + timedelta(days=1))]
    second = [make_fact("dossier.accepted", c, T0 + timedelta(hours=2)),
              make_fact("dossier.transferred", b, T0 + timedelta(hours=4)),
              make_fact("result.ready", a, T0 + timedelta(days=2)), early_c,
              make_fact("result.ready", b, T0 + timedelta(days=3)),
              make_fact("supplement.received", c, T0 + timedelta(days=1))]
    return [first, second]


def state(engine: Any) -> dict[str, Any]:
    return tables(engine, {
        "dossiers": "SELECT * FROM dossiers ORDER BY code",
        "history": "SELECT code, seq, fact, occurred_at, sender_event_id, status, canonical_event_id "
                   "FROM dossier_history ORDER BY code, seq",
        "received": "SELECT agency, event_id, digest, state, reply FROM received_facts ORDER BY event_id",
        "pending": "SELECT agency, event_id, code FROM pending_facts ORDER BY event_id",
        "outbox": "SELECT event_id, routing_key, body FROM outbox ORDER BY id",
    })


@pytest.fixture
def two_repos(make_database):
    repos = []
    for hint in ("intake_one", "intake_batch"):
        url = make_database(hint)
        upgrade(url, MIGRATIONS)
        repo = SqlRepository(make_engine(url))
        seed(repo)
        with repo.transaction() as tx:
            tx.save_source(SourceSystem("motcua-sct", "SCT", "system", amqp_user="guest"))
        repos.append(repo)
    yield repos
    for r in repos:
        r.engine.dispose()


def test_a_batch_records_what_one_by_one_records(two_repos):
    one, many = two_repos
    batches = [[delivery(f) for f in group] for group in groups()]
    outcomes_one = one_by_one(InboundHandler(one, NoReplies(), pepper="p", clock=lambda: NOW), batches)
    handler = InboundHandler(many, NoReplies(), pepper="p", clock=lambda: NOW)
    outcomes_many = in_batches(many.facts, handler.handle_many, batches)
    assert outcomes_many == outcomes_one
    assert outcomes_one.count("duplicate") == 2
    want, got = state(one.engine), state(many.engine)
    assert len(want["history"]) == 10 and not want["pending"]
    for key in want:
        assert got[key] == want[key], key
